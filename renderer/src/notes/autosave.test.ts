import { describe, expect, it } from 'vitest';
import type { Note } from '../../../shared/domain/note.js';
import { BacklineError } from '../../../shared/errors.js';
import { Autosaver, type SaveRequest, type Timers } from './autosave.js';

function note(revision: number, body: string, title = 'Notes'): Note {
  return { id: 7, ticketId: 'TKT-1', title, body, revision, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: `2024-01-01T00:00:0${revision}.000Z` };
}

/** Manual timers and manually settled saves, so each step of the queue is observable. */
function harness(initial: Note | null = note(1, 'hello')) {
  let pending: (() => void) | null = null;
  const timers: Timers = {
    set: (callback) => {
      pending = callback;
      return 1;
    },
    clear: () => {
      pending = null;
    },
  };
  const requests: SaveRequest[] = [];
  const settle: { resolve: (n: Note) => void; reject: (e: unknown) => void }[] = [];
  const errors: string[] = [];
  const saver = new Autosaver(initial, {
    timers,
    save: (request) => {
      requests.push(request);
      return new Promise<Note>((resolve, reject) => settle.push({ resolve, reject }));
    },
    onError: (e) => errors.push(e.code),
  });
  return {
    saver,
    requests,
    errors,
    fireTimer: () => {
      const run = pending;
      pending = null;
      run?.();
    },
    timerPending: () => pending !== null,
    resolve: async (n: Note) => {
      settle.shift()?.resolve(n);
      await new Promise((r) => setTimeout(r, 0));
    },
    reject: async (e: unknown) => {
      settle.shift()?.reject(e);
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

describe('Autosaver', () => {
  it('starts saved and becomes dirty on edit, saving after the pause', async () => {
    const h = harness();
    expect(h.saver.getSnapshot().status.kind).toBe('saved');
    h.saver.edit({ body: 'hello world' });
    expect(h.saver.getSnapshot().status.kind).toBe('dirty');
    expect(h.requests).toHaveLength(0);
    h.fireTimer();
    expect(h.saver.getSnapshot().status.kind).toBe('saving');
    expect(h.requests).toEqual([{ id: 7, baseRevision: 1, title: 'Notes', body: 'hello world' }]);
    await h.resolve(note(2, 'hello world'));
    expect(h.saver.getSnapshot()).toMatchObject({ revision: 2, status: { kind: 'saved' }, hasLocalChanges: false });
  });

  it('queues edits made during a save and sends them against the new revision', async () => {
    const h = harness();
    h.saver.edit({ body: 'a' });
    h.saver.flush();
    h.saver.edit({ body: 'ab' });
    h.saver.flush(); // In flight: must not start a second concurrent save.
    expect(h.requests).toHaveLength(1);
    await h.resolve(note(2, 'a'));
    expect(h.requests[1]).toEqual({ id: 7, baseRevision: 2, title: 'Notes', body: 'ab' });
    await h.resolve(note(3, 'ab'));
    expect(h.saver.getSnapshot()).toMatchObject({ revision: 3, status: { kind: 'saved' }, draft: { body: 'ab' } });
  });

  it('does nothing on flush when nothing changed', () => {
    const h = harness();
    h.saver.flush();
    expect(h.requests).toHaveLength(0);
  });

  it('creates the note on the first save when there is none yet', async () => {
    const h = harness(null);
    h.saver.edit({ body: 'first words' });
    h.saver.flush();
    expect(h.requests[0]).toEqual({ id: null, baseRevision: 0, title: '', body: 'first words' });
    await h.resolve(note(1, 'first words'));
    expect(h.saver.getSnapshot()).toMatchObject({ noteId: 7, draft: { title: 'Notes' }, hasLocalChanges: false });
  });

  it('keeps the text on error, reports once, and does not loop', async () => {
    const h = harness();
    h.saver.edit({ body: 'mine' });
    h.saver.flush();
    await h.reject(new BacklineError('CONFLICT', 'Changed elsewhere', { hint: 'Reload' }));
    const snap = h.saver.getSnapshot();
    expect(snap.status).toMatchObject({ kind: 'error', error: { code: 'CONFLICT', hint: 'Reload' } });
    expect(snap.draft.body).toBe('mine');
    expect(h.requests).toHaveLength(1);
    expect(h.errors).toEqual(['CONFLICT']);
  });

  it('stops saving after a conflict until the user reloads or keeps their text', () => {
    const h = harness();
    h.saver.edit({ body: 'mine' });
    h.saver.flush();
    return h.reject(new BacklineError('CONFLICT')).then(() => {
      h.saver.edit({ body: 'mine, more' });
      h.fireTimer();
      h.saver.flush();
      expect(h.requests).toHaveLength(1);
      expect(h.saver.getSnapshot()).toMatchObject({ status: { kind: 'error' }, draft: { body: 'mine, more' } });
      h.saver.rebase(note(4, 'theirs'));
      expect(h.requests[1]).toEqual({ id: 7, baseRevision: 4, title: 'Notes', body: 'mine, more' });
    });
  });

  it('retries other failures on the next edit', async () => {
    const h = harness();
    h.saver.edit({ body: 'a' });
    h.saver.flush();
    await h.reject(new Error('offline'));
    h.saver.edit({ body: 'ab' });
    h.fireTimer();
    expect(h.requests).toHaveLength(2);
  });

  it('ignores the outcome of a save that was in flight when the user reloaded', async () => {
    const h = harness();
    h.saver.edit({ body: 'doomed' });
    h.saver.flush();
    h.saver.load(note(5, 'theirs'));
    await h.reject(new BacklineError('CONFLICT'));
    expect(h.saver.getSnapshot()).toMatchObject({ revision: 5, status: { kind: 'saved' }, draft: { body: 'theirs' } });
  });

  it('takes a newer remote save only when there are no local changes', () => {
    const clean = harness();
    clean.saver.remoteSaved(note(3, 'from elsewhere'));
    expect(clean.saver.getSnapshot()).toMatchObject({ revision: 3, draft: { body: 'from elsewhere' } });

    const dirty = harness();
    dirty.saver.edit({ body: 'typing' });
    dirty.saver.remoteSaved(note(3, 'from elsewhere'));
    expect(dirty.saver.getSnapshot()).toMatchObject({ revision: 1, draft: { body: 'typing' } });
  });

  it('ignores remote events for its own or older revisions', () => {
    const h = harness(note(4, 'current'));
    h.saver.remoteSaved(note(4, 'stale copy'));
    h.saver.remoteSaved(note(2, 'older'));
    expect(h.saver.getSnapshot().draft.body).toBe('current');
  });

  it('rebases local text onto the latest revision and saves it', () => {
    const h = harness();
    h.saver.edit({ body: 'mine' });
    h.saver.rebase(note(5, 'theirs'));
    expect(h.requests[0]).toEqual({ id: 7, baseRevision: 5, title: 'Notes', body: 'mine' });
  });

  it('reload replaces the local text and cancels the pending save', () => {
    const h = harness();
    h.saver.edit({ body: 'mine' });
    h.saver.load(note(5, 'theirs'));
    expect(h.timerPending()).toBe(false);
    expect(h.saver.getSnapshot()).toMatchObject({ revision: 5, draft: { body: 'theirs' }, status: { kind: 'saved' } });
  });

  it('keeps the snapshot identity stable between changes', () => {
    const h = harness();
    expect(h.saver.getSnapshot()).toBe(h.saver.getSnapshot());
  });
});
