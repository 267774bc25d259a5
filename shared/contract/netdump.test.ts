import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { netdumpMethods, netdumpMessageEventSchema, MAX_MESSAGES_PER_EVENT } from './netdump.js';

/** Netdump's inputs are checked here, before any handler runs or any server is asked: a bad one names its field. */

const issuesOf = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
};

const expectIssue = (schema: z.ZodType, input: unknown, path: string, message: string) => {
  const found = issuesOf(schema, input);
  expect(found.map((i) => i.path), JSON.stringify(found)).toContain(path);
  expect(found.find((i) => i.path === path)?.message).toContain(message);
};

describe('netdump.receiver.start input', () => {
  const start = netdumpMethods['netdump.receiver.start'].input;

  it('is told where to listen: no default opens a socket', () => {
    expect(start.safeParse({}).error?.issues.map((i) => i.path.join('.'))).toEqual(['address', 'port']);
  });

  it('takes IPv4 and IPv6 addresses, canonical, brackets allowed', () => {
    expect(start.parse({ address: ' 127.0.0.1 ', port: 514 })).toEqual({ address: '127.0.0.1', port: 514 });
    expect(start.parse({ address: '::', port: 6666 }).address).toBe('::');
    expect(start.parse({ address: '[::1]', port: 6666 }).address).toBe('::1');
    expect(start.parse({ address: '2001:DB8:0:0::5', port: 6666 }).address).toBe('2001:db8::5');
  });

  it.each([
    [{ address: '127.0.0.1', port: 0 }, 'port', 'Ports run from 1 to 65535'],
    [{ address: '127.0.0.1', port: 65536 }, 'port', 'Ports run from 1 to 65535'],
    [{ address: '127.0.0.1', port: 66.6 }, 'port', ''],
    [{ address: '127.0.0.1', port: '6666; reboot' }, 'port', ''],
    [{ address: '' }, 'address', 'Give the address to listen on'],
    [{ address: 'localhost' }, 'address', 'not an IPv4 address'],
    [{ address: '127.0.0.1:6666' }, 'address', 'not an IPv6 address'],
    [{ address: '10.0.0.256' }, 'address', 'more than 255'],
    [{ address: '010.0.0.1' }, 'address', 'without leading zeros'],
    [{ address: 'fe80::1%eth0' }, 'address', 'zone'],
    [{ address: '224.0.0.1' }, 'address', 'multicast'],
    [{ address: 'ff02::1' }, 'address', 'multicast'],
    [{ address: '0.0.0.0; rm -rf /' }, 'address', 'not an IPv4 address'],
    [{ address: 'x'.repeat(100) }, 'address', ''],
  ])('refuses %j at %s', (input, path, message) => expectIssue(start, input, path, message));
});

describe('where the customer servers send (preflight, preview, fleet)', () => {
  const preview = netdumpMethods['netdump.preview'].input;
  const base = { ticketId: 'TKT-48213', serverId: 1, target: { address: '10.0.2.2' } };

  it('defaults to port 6666, no persistence; the ticket id is canonical', () => {
    expect(preview.parse({ ...base, ticketId: 'tkt-48213' })).toEqual({ ticketId: 'TKT-48213', serverId: 1, target: { address: '10.0.2.2', port: 6666 }, persist: false });
    expect(preview.parse({ ...base, target: { address: '[2001:db8::5]', port: 514 } }).target).toEqual({ address: '2001:db8::5', port: 514 });
  });

  it.each([
    [{ target: { address: '0.0.0.0' } }, 'target.address', 'only a receiver can listen there'],
    [{ target: { address: '::' } }, 'target.address', 'only a receiver can listen there'],
    [{ target: { address: 'receiver.example.net' } }, 'target.address', 'is a host name: netconsole sends to an address'],
    [{ target: { address: '239.1.1.1' } }, 'target.address', 'multicast'],
    [{ target: { address: '10.0.2.2/24' } }, 'target.address', 'not an IPv4 address'],
    [{ target: { address: '' } }, 'target.address', 'Give the receiver’s address'],
    [{ target: { address: '10.0.2.2', port: 0 } }, 'target.port', 'Ports run from 1 to 65535'],
    [{ target: { address: '10.0.2.2', port: 70000 } }, 'target.port', 'Ports run from 1 to 65535'],
    [{ ticketId: 'TKT-1; reboot' }, 'ticketId', 'Ticket ids'],
    [{ serverId: -1 }, 'serverId', ''],
    [{ persist: 'yes' }, 'persist', ''],
  ])('refuses %j at %s', (overrides, path, message) => expectIssue(preview, { ...base, ...overrides }, path, message));

  it('checks the fleet target the same way, and at least one server when servers are named', () => {
    const fleet = netdumpMethods['netdump.fleet.setup'].input;
    expect(fleet.parse({ ticketId: 'TKT-1', target: { address: '10.0.2.2' } })).toMatchObject({ target: { port: 6666 }, persist: false });
    expectIssue(fleet, { ticketId: 'TKT-1', target: { address: '::' } }, 'target.address', 'only a receiver can listen there');
    expectIssue(fleet, { ticketId: 'TKT-1', target: { address: '10.0.2.2' }, serverIds: [] }, 'serverIds', '');
  });

  it('checks the preflight target too', () => {
    const preflight = netdumpMethods['netdump.preflight'].input;
    expectIssue(preflight, { serverId: 1, target: { address: 'localhost' } }, 'target.address', 'is a host name');
  });
});

describe('capture pages and verification are bounded', () => {
  it('pages of messages hold 1 to 500', () => {
    const page = netdumpMethods['netdump.captures.messages'].input;
    expect(page.parse({ captureId: 3 })).toEqual({ captureId: 3, cursor: 0, limit: 200 });
    expectIssue(page, { captureId: 3, limit: 501 }, 'limit', 'at most 500 messages');
    expectIssue(page, { captureId: 3, limit: 0 }, 'limit', '');
    expectIssue(page, { captureId: 3, cursor: -1 }, 'cursor', '');
    expectIssue(page, { captureId: 0 }, 'captureId', '');
  });

  it('a marker is waited for 1 to 120 s, at a level 0 to 7', () => {
    const verify = netdumpMethods['netdump.verify'].input;
    expect(verify.parse({ planId: 'p0123456789' })).toEqual({ planId: 'p0123456789', timeoutS: 10 });
    expectIssue(verify, { planId: 'p0123456789', level: 8 }, 'level', '');
    expectIssue(verify, { planId: 'p0123456789', timeoutS: 600 }, 'timeoutS', '');
    expectIssue(verify, { planId: 'x; reboot' }, 'planId', 'A plan id looks like');
  });

  it('a remote receiver runs 1 minute to a week, under an id that can name a file', () => {
    const start = netdumpMethods['netdump.remote.start'].input;
    expect(start.parse({ ticketId: 'TKT-1', serverId: 2 })).toEqual({ ticketId: 'TKT-1', serverId: 2, address: '0.0.0.0', port: 6666, minutes: 60 });
    expectIssue(start, { ticketId: 'TKT-1', serverId: 2, minutes: 0 }, 'minutes', 'at least a minute');
    expectIssue(start, { ticketId: 'TKT-1', serverId: 2, minutes: 20_000 }, 'minutes', 'a week at most');
    expectIssue(start, { ticketId: 'TKT-1', serverId: 2, address: 'bastion' }, 'address', 'not an IPv4 address');
    expectIssue(netdumpMethods['netdump.remote.stop'].input, { id: '../../etc/passwd' }, 'id', 'letters, digits, dashes and underscores');
  });

  it('a message event carries at most 200 messages', () => {
    const message = { sender: '10.0.2.15', receivedAt: '2026-12-02T01:00:00.000Z', format: 'plain', facility: null, level: null, seq: null, usec: null, flags: null, text: 'x', dict: [], incomplete: false, capture: null };
    expect(netdumpMessageEventSchema.safeParse({ messages: Array(MAX_MESSAGES_PER_EVENT).fill(message), more: 5 }).success).toBe(true);
    expect(netdumpMessageEventSchema.safeParse({ messages: Array(MAX_MESSAGES_PER_EVENT + 1).fill(message), more: 0 }).success).toBe(false);
  });
});
