import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WireResult } from '../../shared/bridge.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/index.js';
import { splitSnippet } from '../../shared/domain/search.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core } from './core.js';
import { WORKSPACE_DB_FILE } from './data-dir.js';
import { tempDir } from './testing/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let clock: number;
const events: { event: string; payload: unknown }[] = [];
const logged: string[] = [];

beforeEach(() => {
  dir = tempDir();
  clock = Date.parse('2026-11-25T09:00:00.000Z');
  core = createCore({
    dataDir: dir.path,
    shell: 'browser',
    version: '0.0.0-test',
    user: 'esc',
    clock: () => new Date((clock += 1000)),
    log: (message) => logged.push(message),
  });
  core.events.subscribe((event, payload) => events.push({ event, payload }));
});
afterEach(() => {
  core.close();
  dir.remove();
  events.length = 0;
  logged.length = 0;
});

async function call<K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const result = await core.dispatch(method, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
  return result.value as MethodOutput<K>;
}
const raw = (method: string, input: unknown): Promise<WireResult> => core.dispatch(method, input, { shell: 'browser' });

describe('tickets', () => {
  it('creates a ticket with a normalised id and records it', async () => {
    const ticket = await call('tickets.create', { id: ' tkt-48213 ', title: 'Site down', customer: 'Acme' });
    expect(ticket).toMatchObject({ id: 'TKT-48213', title: 'Site down', customer: 'Acme', status: 'open' });
    const audit = await call('audit.list', { ticketId: 'TKT-48213' });
    expect(audit.map((e) => e.action)).toEqual(['ticket.created']);
    expect(audit[0]).toMatchObject({ actor: 'esc', ticketId: 'TKT-48213' });
    expect(events.map((e) => e.event)).toEqual(['audit.appended', 'ticket.changed']);
  });

  it('refuses a duplicate id and a malformed one, with field-level issues', async () => {
    await call('tickets.create', { id: 'TKT-1', title: 'One' });
    const duplicate = await raw('tickets.create', { id: 'TKT-1', title: 'Again' });
    expect(duplicate).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    const malformed = await raw('tickets.create', { id: 'not a ticket', title: '' });
    expect(malformed.ok).toBe(false);
    if (malformed.ok) return;
    expect(malformed.error.code).toBe('VALIDATION_FAILED');
    expect(malformed.error.issues?.map((i) => i.path).sort()).toEqual(['id', 'title']);
    expect((await call('tickets.list', {})).map((t) => t.id)).toEqual(['TKT-1']);
  });

  it('lists most recently changed first and filters by id, title or customer (wildcards literal)', async () => {
    await call('tickets.create', { id: 'TKT-1', title: 'Disk 50% full', customer: 'Acme' });
    await call('tickets.create', { id: 'TKT-2', title: 'Kernel panic', customer: 'Globex' });
    expect((await call('tickets.list', {})).map((t) => t.id)).toEqual(['TKT-2', 'TKT-1']);
    expect((await call('tickets.list', { filter: 'glob' })).map((t) => t.id)).toEqual(['TKT-2']);
    expect((await call('tickets.list', { filter: '50%' })).map((t) => t.id)).toEqual(['TKT-1']);
    expect((await call('tickets.list', { filter: '%' })).map((t) => t.id)).toEqual(['TKT-1']);
    expect((await call('tickets.list', { filter: '_' })).map((t) => t.id)).toEqual([]);
  });

  it('records status changes from and to', async () => {
    await call('tickets.create', { id: 'TKT-1', title: 'One' });
    await call('tickets.update', { id: 'TKT-1', status: 'waiting' });
    const [latest] = await call('audit.list', { ticketId: 'TKT-1' });
    expect(latest).toMatchObject({ action: 'ticket.updated', summary: 'status: open → waiting' });
  });
});

describe('notes', () => {
  beforeEach(async () => {
    await call('tickets.create', { id: 'TKT-7', title: 'PHP eats the machine' });
  });

  it('saves revisions, keeps every earlier version, and refuses a stale save', async () => {
    const note = await call('notes.create', { ticketId: 'TKT-7' });
    const first = await call('notes.save', { id: note.id, baseRevision: note.revision, body: 'memory_limit = 512M' });
    const second = await call('notes.save', { id: note.id, baseRevision: first.revision, body: 'memory_limit = 512M\nworkers: 40' });
    expect(second.revision).toBe(3);
    const versions = await call('notes.versions', { id: note.id });
    expect(versions.map((v) => [v.revision, v.body])).toEqual([
      [3, 'memory_limit = 512M\nworkers: 40'],
      [2, 'memory_limit = 512M'],
      [1, ''],
    ]);
    const stale = await raw('notes.save', { id: note.id, baseRevision: first.revision, body: 'overwrite' });
    expect(stale).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await call('notes.list', { ticketId: 'TKT-7' }))[0]?.body).toBe('memory_limit = 512M\nworkers: 40');
  });

  it('does not make a revision when nothing changed', async () => {
    const note = await call('notes.create', { ticketId: 'TKT-7', body: 'same' });
    const again = await call('notes.save', { id: note.id, baseRevision: 1, body: 'same' });
    expect(again.revision).toBe(1);
  });

  it('refuses a note on a ticket that does not exist, and records nothing', async () => {
    const result = await raw('notes.create', { ticketId: 'TKT-404' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(events.filter((e) => e.event === 'audit.appended')).toHaveLength(1);
  });

  it('is acknowledged only once durable: a second process sees the save', async () => {
    const note = await call('notes.create', { ticketId: 'TKT-7' });
    await call('notes.save', { id: note.id, baseRevision: 1, body: 'survives' });
    const other = createCore({ dataDir: dir.path, shell: 'browser', version: 't' });
    try {
      const result = await other.dispatch('notes.list', { ticketId: 'TKT-7' }, { shell: 'browser' });
      expect(result).toMatchObject({ ok: true, value: [{ body: 'survives' }] });
    } finally {
      other.close();
    }
  });
});

describe('findings', () => {
  beforeEach(async () => {
    await call('tickets.create', { id: 'TKT-9', title: 'Crash with no dump' });
  });

  it('lists the most severe first, and withdrawing keeps the record in the audit log', async () => {
    await call('findings.add', { ticketId: 'TKT-9', kind: 'observation', severity: 'low', title: 'kdump not loaded' });
    const high = await call('findings.add', {
      ticketId: 'TKT-9',
      kind: 'cause',
      severity: 'critical',
      title: 'e1000e has no netpoll',
      detail: { driver: 'e1000e', netpoll: false },
      evidence: [{ label: 'ethtool -i eth0', content: 'driver: e1000e' }],
    });
    expect((await call('findings.list', { ticketId: 'TKT-9' })).map((f) => f.severity)).toEqual(['critical', 'low']);
    await call('findings.remove', { id: high.id });
    expect((await call('findings.list', { ticketId: 'TKT-9' })).map((f) => f.title)).toEqual(['kdump not loaded']);
    const [removal] = await call('audit.list', { ticketId: 'TKT-9' });
    expect(removal).toMatchObject({ action: 'finding.removed', detail: { finding: { title: 'e1000e has no netpoll' } } });
  });

  it('refuses an unknown severity with the field named', async () => {
    const result = await raw('findings.add', { ticketId: 'TKT-9', kind: 'cause', severity: 'apocalyptic', title: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', issues: [{ path: 'severity' }] } });
  });
});

describe('search', () => {
  it('finds words in notes and findings, with highlighted snippets', async () => {
    await call('tickets.create', { id: 'TKT-3', title: 'Remote include' });
    const note = await call('notes.create', { ticketId: 'TKT-3' });
    await call('notes.save', { id: note.id, baseRevision: 1, body: 'The third web head answers 400 and PHP runs out of memory.' });
    await call('findings.add', { ticketId: 'TKT-3', kind: 'cause', severity: 'high', title: 'Bad head 203.0.113.7', evidence: [{ label: 'curl', content: 'HTTP/1.1 400 Bad Request' }] });
    const hits = await call('search.query', { text: 'memo' });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ ticketId: 'TKT-3', kind: 'note', refId: note.id });
    expect(splitSnippet(hits[0]!.snippet).filter((r) => r.match).map((r) => r.text)).toEqual(['memory']);
    expect((await call('search.query', { text: 'bad request' })).map((h) => h.kind)).toEqual(['finding']);
    expect((await call('search.query', { text: 'TKT-3' })).map((h) => h.kind)).toContain('ticket');
  });

  it('treats FTS syntax in the query as text', async () => {
    await call('tickets.create', { id: 'TKT-3', title: 'x' });
    const result = await raw('search.query', { text: '"unbalanced OR NEAR(' });
    expect(result.ok).toBe(true);
  });
});

describe('export', () => {
  it('returns the Markdown and records where it went', async () => {
    await call('tickets.create', { id: 'TKT-5', title: 'Cert lookup', customer: 'Initech' });
    const note = await call('notes.create', { ticketId: 'TKT-5' });
    await call('notes.save', { id: note.id, baseRevision: 1, body: 'Found the tracking entry.' });
    const exported = await call('export.markdown', { ticketId: 'TKT-5', destination: 'clipboard' });
    expect(exported.fileName).toBe('TKT-5.md');
    expect(exported.markdown).toContain('# TKT-5: Cert lookup');
    expect(exported.markdown).toContain('Found the tracking entry.');
    const [entry] = await call('audit.list', { ticketId: 'TKT-5' });
    expect(entry).toMatchObject({ action: 'ticket.exported', detail: { destination: 'clipboard' } });
  });
});

describe('dispatch', () => {
  it('names an unknown method', async () => {
    expect(await raw('tickets.drop', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await raw('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('turns an unexpected failure into INTERNAL without leaking its details, and logs it', async () => {
    core.close();
    const result = await raw('tickets.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toMatch(/database|sqlite/i);
    expect(logged).toEqual(['tickets.list failed']);
    core = createCore({ dataDir: dir.path, shell: 'browser', version: 't' });
  });
});

describe('servers', () => {
  it('attaches a server with validated fields and refuses hostile ones, naming the field', async () => {
    await call('tickets.create', { id: 'TKT-20', title: 'SSH' });
    const server = await call('servers.add', { ticketId: 'TKT-20', host: 'web1.example.com', user: 'deploy', port: 2222, jump: 'ops@bastion.example.com:22' });
    expect(server).toMatchObject({ label: 'web1.example.com', connection: 'disconnected', auth: 'auto' });
    const hostile = await raw('servers.add', { ticketId: 'TKT-20', host: '-oProxyCommand=sh', user: 'x;id', jump: 'a b' });
    expect(hostile.ok).toBe(false);
    if (hostile.ok) return;
    expect(hostile.error.issues?.map((i) => i.path).sort()).toEqual(['host', 'jump', 'user']);
  });

  it('never stores a secret in the browser shell', async () => {
    await call('tickets.create', { id: 'TKT-21', title: 'SSH' });
    const server = await call('servers.add', { ticketId: 'TKT-21', host: 'web1.example.com' });
    const result = await raw('servers.connect', { id: server.id, secrets: { password: 'hunter2' }, remember: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'The browser shell never stores passwords or passphrases.' } });
  });
});

describe('settings from the environment', () => {
  it('bounds SSH handshakes as BACKLINE_SSH_HANDSHAKES says, and refuses a bad value before opening anything', () => {
    const other = tempDir();
    const before = process.env.BACKLINE_SSH_HANDSHAKES;
    try {
      process.env.BACKLINE_SSH_HANDSHAKES = '5';
      const five = createCore({ dataDir: other.path, shell: 'browser', version: '0.0.0-test', user: 'esc' });
      expect(five.sessions.handshakes.limit).toBe(5);
      five.close();
      process.env.BACKLINE_SSH_HANDSHAKES = 'many';
      const nothing = tempDir();
      expect(() => createCore({ dataDir: nothing.path, shell: 'browser', version: '0.0.0-test', user: 'esc' })).toThrow(/BACKLINE_SSH_HANDSHAKES must be a whole number/);
      expect(existsSync(join(nothing.path, WORKSPACE_DB_FILE))).toBe(false);
      nothing.remove();
    } finally {
      if (before === undefined) delete process.env.BACKLINE_SSH_HANDSHAKES;
      else process.env.BACKLINE_SSH_HANDSHAKES = before;
      other.remove();
    }
  });
});
