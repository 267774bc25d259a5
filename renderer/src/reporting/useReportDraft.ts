import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type Dispatch, type SetStateAction } from 'react';
import type { ReportDraft } from '../../../shared/domain/report.js';
import { draftKeys, isDraftStorageKey, readDraft, removeDraft, sameDraft, writeDraft } from './draftStore.js';
import type { ParamValues } from './paramForm.js';
import { windowStorage } from './storage.js';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
let snapshot: { text: string; keys: readonly string[] } = { text: '', keys: [] };

function currentKeys(): readonly string[] {
  const keys = draftKeys(windowStorage());
  const text = keys.join('\n');
  if (text !== snapshot.text) snapshot = { text, keys };
  return snapshot.keys;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another window of the same app kept or dropped a draft.
  const onStorage = (e: StorageEvent) => {
    if (isDraftStorageKey(e.key)) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The keys of every kept draft ("new", "edit:<id>", "copy:<id>"), updated as drafts are kept and dropped. */
export function useDraftKeys(): readonly string[] {
  return useSyncExternalStore(subscribe, currentKeys);
}

/** Drops a kept draft from outside its editor (its report was deleted). */
export function dropDraft(key: string): void {
  removeDraft(windowStorage(), key);
  notify();
}

export interface ReportDraftState {
  draft: ReportDraft;
  setDraft: Dispatch<SetStateAction<ReportDraft>>;
  values: ParamValues;
  setValues: Dispatch<SetStateAction<ParamValues>>;
  /** Set when the editor opened on a kept draft: when it was kept, and whether the saved report changed since it was started. */
  restored: { savedAt: string; baseChanged: boolean } | null;
  /** The draft differs from what it started as. */
  changed: boolean;
  /** Why the draft cannot be kept (storage full or missing); null while it is. */
  keepError: string | null;
  /** Drops the kept draft and goes back to what the editor started from. */
  discard: () => void;
  /** The draft was saved: drop it, and keep nothing more for this editor. */
  saved: () => void;
}

const WRITE_AFTER_MS = 300;

/**
 * An editor's draft that outlives the editor: kept in the window's storage under `key` a moment after
 * each change and at once when the editor closes or the page goes away; restored when the editor
 * opens again. `initial` is what the editor starts from (the saved report, a copy, or an empty one),
 * read once.
 */
export function useReportDraft(key: string, initial: ReportDraft, initialValues: ParamValues, keepBase: boolean): ReportDraftState {
  const [start] = useState(() => {
    const stored = readDraft(windowStorage(), key);
    return { base: initial, baseValues: initialValues, stored };
  });
  const { base, baseValues } = start;
  const [draft, setDraft] = useState<ReportDraft>(start.stored?.draft ?? base);
  const [values, setValues] = useState<ParamValues>(start.stored?.values ?? baseValues);
  const [restored, setRestored] = useState<ReportDraftState['restored']>(() =>
    start.stored ? { savedAt: start.stored.savedAt, baseChanged: start.stored.base !== null && !sameDraft(start.stored.base, base) } : null,
  );
  const [keepError, setKeepError] = useState<string | null>(null);
  const finished = useRef(false);
  const latest = useRef({ draft, values });
  useEffect(() => {
    latest.current = { draft, values };
  }, [draft, values]);

  const keep = useCallback(() => {
    if (finished.current) return;
    const storage = windowStorage();
    const now = latest.current;
    if (sameDraft(now.draft, base)) removeDraft(storage, key);
    else {
      const result = writeDraft(storage, key, { v: 1, draft: now.draft, values: now.values, base: keepBase ? base : null, savedAt: new Date().toISOString() });
      setKeepError(result.ok ? null : result.message);
    }
    notify();
  }, [key, base, keepBase]);

  useEffect(() => {
    const timer = setTimeout(keep, WRITE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [draft, values, keep]);

  // Leaving the editor (another report, another page) or the window going away keeps the draft at once.
  useEffect(() => {
    window.addEventListener('pagehide', keep);
    return () => {
      window.removeEventListener('pagehide', keep);
      keep();
    };
  }, [keep]);

  const discard = useCallback(() => {
    removeDraft(windowStorage(), key);
    latest.current = { draft: base, values: baseValues };
    setDraft(base);
    setValues(baseValues);
    setRestored(null);
    notify();
  }, [key, base, baseValues]);

  const saved = useCallback(() => {
    finished.current = true;
    removeDraft(windowStorage(), key);
    notify();
  }, [key]);

  return { draft, setDraft, values, setValues, restored, changed: !sameDraft(draft, base), keepError, discard, saved };
}
