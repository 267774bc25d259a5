import { describe, expect, it } from 'vitest';
import { chainSummary, hopAddress, lastErrorWhen, libraryEntryDetail, routeNotes, targetOf } from './server.js';
import { emptyServerForm, formFromLibrary, toServerInput } from './serverForm.js';

describe('targetOf', () => {
  it('shows what was typed, leaving unset parts to ~/.ssh/config', () => {
    expect(targetOf({ user: null, host: 'db1', port: null })).toBe('db1');
    expect(targetOf({ user: 'root', host: '10.77.0.11', port: 22 })).toBe('root@10.77.0.11:22');
    expect(targetOf({ user: null, host: '2001:db8::1', port: 2222 })).toBe('[2001:db8::1]:2222');
  });
});

describe('chainSummary', () => {
  it('names the hops in order', () => {
    expect(chainSummary([{ label: 'web1' }])).toBe('direct');
    expect(chainSummary([{ label: 'bastion' }, { label: 'db1' }])).toBe('via bastion → db1');
    expect(hopAddress({ user: 'root', host: '10.78.0.31', port: 22 })).toBe('root@10.78.0.31:22');
  });
});

describe('toServerInput', () => {
  it('sends only the host and auth method when nothing else is filled', () => {
    expect(toServerInput('TKT-1', { ...emptyServerForm(), host: ' web1 ' })).toEqual({ ticketId: 'TKT-1', host: 'web1', auth: 'auto' });
  });
  it('trims fields and keeps the key file only with the key-file method', () => {
    const values = { host: 'db1', label: ' DB ', user: 'root', port: 2222, auth: 'key' as const, keyFile: ' /k/lab_root ', jump: 'root@10.77.0.20' };
    expect(toServerInput('TKT-1', values)).toEqual({ ticketId: 'TKT-1', host: 'db1', label: 'DB', user: 'root', port: 2222, auth: 'key', keyFile: '/k/lab_root', jump: 'root@10.77.0.20' });
    expect(toServerInput('TKT-1', { ...values, auth: 'agent' }).keyFile).toBeUndefined();
  });
  it('passes a typed port on as a number for the main side to validate', () => {
    expect(toServerInput('TKT-1', { ...emptyServerForm(), host: 'h', port: '70000' }).port).toBe(70000);
  });
});

describe('routeNotes', () => {
  it('gives what every hop shares once, then each hop its own, skipped things first', () => {
    const include = { kind: 'skipped' as const, at: '~/.ssh/config:1', message: 'Include x could not be read' };
    const missing = { kind: 'info' as const, at: '~/.ssh/config:2', message: 'Include y matched no file' };
    const only = { kind: 'skipped' as const, at: '~/.ssh/config.d/lab:9', message: 'IdentitiesOnly yes: not followed' };
    expect(routeNotes([{ label: 'bastion', notes: [missing, include] }, { label: 'db1', notes: [include, missing, only, only] }])).toEqual([
      { hop: null, note: include },
      { hop: 'db1', note: only },
      { hop: null, note: missing },
    ]);
    expect(routeNotes([{ label: 'web1', notes: [] }])).toEqual([]);
  });
});

describe('lastErrorWhen', () => {
  it('says what happened and when, with the date only when it was not today', () => {
    const now = new Date(2026, 10, 25, 15, 0, 0);
    expect(lastErrorWhen({ kind: 'lost', at: new Date(2026, 10, 25, 14, 2, 11).toISOString() }, now)).toBe('Lost at 14:02:11');
    expect(lastErrorWhen({ kind: 'connect', at: new Date(2026, 10, 24, 17, 40, 3).toISOString() }, now)).toBe('Connect failed on 2026-11-24 17:40:03');
  });
});

describe('libraryEntryDetail', () => {
  const base = { port: null, user: null, auth: 'auto' as const, keyFile: null, jump: null, tickets: [], lastAttachedAt: null, configAt: null, otherNames: [], resolved: null };
  it('shows where an entry leads and where it comes from', () => {
    expect(libraryEntryDetail({ ...base, source: 'ticket', label: 'web3', host: '10.77.0.13', user: 'root', jump: 'bastion', tickets: ['TKT-2', 'TKT-1'] })).toBe(
      'root@10.77.0.13 via bastion · TKT-2, TKT-1',
    );
    expect(libraryEntryDetail({ ...base, source: 'ssh-config', label: 'db1', host: 'db1', resolved: { target: 'root@10.78.0.31:22', via: ['bastion'] } })).toBe(
      'root@10.78.0.31:22 via bastion · ~/.ssh/config',
    );
    expect(libraryEntryDetail({ ...base, source: 'ssh-config', label: 'x', host: 'x' })).toBe('cannot be resolved · ~/.ssh/config');
  });
});

describe('formFromLibrary', () => {
  const base = { port: null, user: null, auth: 'auto' as const, keyFile: null, jump: null, tickets: [], lastAttachedAt: null, configAt: null, otherNames: [], resolved: null };
  it('fills the form with what was attached elsewhere, and an ssh config Host by its name alone', () => {
    const attached = { ...base, source: 'ticket' as const, label: 'web3', host: '10.77.0.13', user: 'root', port: 2222, auth: 'key' as const, keyFile: '/k/lab_root', tickets: ['TKT-1'] };
    expect(formFromLibrary(attached)).toEqual({ host: '10.77.0.13', label: 'web3', user: 'root', port: 2222, auth: 'key', keyFile: '/k/lab_root', jump: '' });
    expect(toServerInput('TKT-2', formFromLibrary(attached))).toEqual({ ticketId: 'TKT-2', host: '10.77.0.13', label: 'web3', user: 'root', port: 2222, auth: 'key', keyFile: '/k/lab_root' });
    expect(formFromLibrary({ ...base, source: 'ssh-config', label: 'db1', host: 'db1' })).toEqual({ ...emptyServerForm(), host: 'db1' });
  });
});
