import type { z } from 'zod';
import { events } from './events.js';
import { findingMethods } from './findings.js';
import { firewallMethods } from './firewall.js';
import { netdumpClientMethods, netdumpReceiverMethods, netdumpRemoteMethods } from './netdump.js';
import { noteMethods } from './notes.js';
import { phpMethods } from './php.js';
import { reportingMethods } from './reporting.js';
import { runMethods } from './runs.js';
import { serverMethods } from './servers.js';
import { snippetsMethods } from './snippets.js';
import { terminalMethods } from './terminals.js';
import { ticketMethods } from './tickets.js';
import { workspaceMethods } from './workspace.js';
import { ticketSystemMethods } from './tickets-system.js';

/**
 * The one contract between the renderer and the main side. The renderer's client, the Electron IPC
 * binding and the web host binding are all derived from these maps: a new capability adds its group
 * here and its handlers in electron/core, and nothing else.
 */
export const methods = {
  ...workspaceMethods,
  ...ticketMethods,
  ...noteMethods,
  ...findingMethods,
  ...serverMethods,
  ...runMethods,
  ...terminalMethods,
  ...firewallMethods,
  ...reportingMethods,
  ...phpMethods,
  ...netdumpReceiverMethods,
  ...netdumpClientMethods,
  ...netdumpRemoteMethods,
  ...ticketSystemMethods,
  ...snippetsMethods,
};
export { events };

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller passes (defaults still optional). */
export type MethodInput<K extends MethodName> = z.input<Methods[K]['input']>;
/** What a handler receives, after validation and defaults. */
export type ParsedInput<K extends MethodName> = z.output<Methods[K]['input']>;
export type MethodOutput<K extends MethodName> = z.output<Methods[K]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

export type { MethodSpec, EventSpec } from './define.js';
