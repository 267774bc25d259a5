import { describe, expect, it } from 'vitest';
import type { ReportDraft } from '../../../shared/domain/report.js';
import { draftKey, draftKeys, parseDraftKey, readDraft, removeDraft, sameDraft, writeDraft, type StoredDraft } from './draftStore.js';
import type { KeyValueStorage } from './storage.js';

/** A Web Storage over a Map, optionally with a quota. */
function memoryStorage(quota = Infinity): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      if (v.length > quota) throw new Error('QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k) => void map.delete(k),
  };
}

const draft: ReportDraft = { id: 'certs', title: '', description: '', params: [{ name: 'q', type: 'text', label: '', required: true, default: null }], chart: null, sql: 'SELECT :q' };
const entry: StoredDraft = { v: 1, draft, values: { q: 'example.com' }, base: null, savedAt: '2026-11-20T10:00:00.000Z' };

describe('draft keys', () => {
  it('keeps one draft per report and mode, and one new one', () => {
    expect([draftKey('new', null), draftKey('edit', 'certs'), draftKey('copy', 'ssl-lookup'), draftKey('new', 'x')]).toEqual(['new', 'edit:certs', 'copy:ssl-lookup', 'new']);
    expect([parseDraftKey('new'), parseDraftKey('edit:certs'), parseDraftKey('copy:ssl-lookup'), parseDraftKey('other')]).toEqual([
      { mode: 'new', reportId: null },
      { mode: 'edit', reportId: 'certs' },
      { mode: 'copy', reportId: 'ssl-lookup' },
      null,
    ]);
  });
});

describe('the draft store', () => {
  it('keeps a half-written draft with its run values, and lists it', () => {
    const storage = memoryStorage();
    storage.setItem('something-else', 'x');
    expect(writeDraft(storage, 'edit:certs', entry)).toEqual({ ok: true });
    expect(readDraft(storage, 'edit:certs')).toEqual(entry);
    expect(draftKeys(storage)).toEqual(['edit:certs']);
    removeDraft(storage, 'edit:certs');
    expect(readDraft(storage, 'edit:certs')).toBeNull();
    expect(draftKeys(storage)).toEqual([]);
  });

  it('drops what it cannot read instead of failing the editor', () => {
    const storage = memoryStorage();
    storage.setItem('backline.report-draft.new', '{not json');
    storage.setItem('backline.report-draft.edit:x', JSON.stringify({ v: 2, draft }));
    expect(readDraft(storage, 'new')).toBeNull();
    expect(readDraft(storage, 'edit:x')).toBeNull();
    expect(storage.map.size).toBe(0);
  });

  it('says why a draft could not be kept, when the storage is full or missing', () => {
    expect(writeDraft(memoryStorage(10), 'new', entry)).toEqual({ ok: false, message: 'The draft could not be kept: QuotaExceededError' });
    expect(writeDraft(null, 'new', entry).ok).toBe(false);
    expect(readDraft(null, 'new')).toBeNull();
    expect(draftKeys(null)).toEqual([]);
  });
});

describe('sameDraft', () => {
  it('tells a changed draft from the one it started as', () => {
    expect(sameDraft(draft, { ...draft })).toBe(true);
    expect(sameDraft(draft, { ...draft, sql: 'SELECT :q AS q' })).toBe(false);
    expect(sameDraft(draft, { ...draft, params: [{ ...draft.params[0]!, lookup: 'techs.login' }] })).toBe(false);
    // A lookup absent or undefined is the same.
    expect(sameDraft(draft, { ...draft, params: [{ ...draft.params[0]!, lookup: undefined }] })).toBe(true);
  });
});
