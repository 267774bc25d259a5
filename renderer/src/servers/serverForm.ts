import { authMethods, type LibraryEntry } from '../../../shared/domain/server.js';
import type { MethodInput } from '../../../shared/contract/index.js';

export type AuthMethod = (typeof authMethods)[number];

export interface ServerFormValues {
  host: string;
  label: string;
  user: string;
  port: number | string;
  auth: AuthMethod;
  keyFile: string;
  jump: string;
}

export type ServerField = 'host' | 'label' | 'user' | 'port' | 'auth' | 'keyFile' | 'jump';
export const serverFieldFor: Record<string, ServerField> = {
  host: 'host',
  label: 'label',
  user: 'user',
  port: 'port',
  auth: 'auth',
  keyFile: 'keyFile',
  jump: 'jump',
};

export const emptyServerForm = (): ServerFormValues => ({ host: '', label: '', user: '', port: '', auth: 'auto', keyFile: '', jump: '' });

export function isAuthMethod(value: string | null): value is AuthMethod {
  return (authMethods as readonly (string | null)[]).includes(value);
}

/**
 * The servers.add input for the form: blank optional fields are left out (so ~/.ssh/config decides),
 * text is trimmed, and a key file is sent only with the key-file method. Validation is the main side's.
 */
export function toServerInput(ticketId: string, values: ServerFormValues): MethodInput<'servers.add'> {
  const input: MethodInput<'servers.add'> = { ticketId, host: values.host.trim(), auth: values.auth };
  const label = values.label.trim();
  const user = values.user.trim();
  const jump = values.jump.trim();
  const keyFile = values.keyFile.trim();
  if (label) input.label = label;
  if (user) input.user = user;
  if (jump) input.jump = jump;
  if (values.auth === 'key' && keyFile) input.keyFile = keyFile;
  if (typeof values.port === 'number') input.port = values.port;
  else if (values.port.trim() !== '') input.port = Number(values.port);
  return input;
}

/**
 * The form for a server picked from the host library: what was attached elsewhere, as it was (its label
 * too); a Host of ~/.ssh/config by its name alone, so the config decides the rest.
 */
export function formFromLibrary(entry: LibraryEntry): ServerFormValues {
  if (entry.source === 'ssh-config') return { ...emptyServerForm(), host: entry.host };
  return {
    host: entry.host,
    label: entry.label,
    user: entry.user ?? '',
    port: entry.port ?? '',
    auth: entry.auth,
    keyFile: entry.keyFile ?? '',
    jump: entry.jump ?? '',
  };
}
