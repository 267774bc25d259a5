import { z } from 'zod';
import { reportParamTypes, type ReportDraft } from '../../../shared/domain/report.js';
import type { KeyValueStorage } from './storage.js';

/**
 * Unsaved report drafts, kept in the window's storage per report (a new one, the edit of a saved
 * one, a copy of any) so that they survive leaving the editor, a reload, or a crash of the window.
 * A draft is dropped only when it is saved, discarded on purpose, or back to what it started from.
 */
const PREFIX = 'backline.report-draft.';

export type DraftMode = 'new' | 'edit' | 'copy';

/** Where a draft is kept: "new", or "edit:<id>" / "copy:<id>" of the report it started from. */
export function draftKey(mode: DraftMode, reportId: string | null): string {
  return mode === 'new' || reportId === null ? 'new' : `${mode}:${reportId}`;
}

/** The report and mode a key is the draft of. */
export function parseDraftKey(key: string): { mode: DraftMode; reportId: string | null } | null {
  if (key === 'new') return { mode: 'new', reportId: null };
  const m = /^(edit|copy):(.+)$/.exec(key);
  return m ? { mode: m[1] as DraftMode, reportId: m[2] ?? null } : null;
}

// Loose: a draft half written (no title yet, a parameter without a label) is still a draft to keep.
const looseDraft = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  params: z.array(
    z.object({
      name: z.string(),
      type: z.enum(reportParamTypes),
      label: z.string(),
      required: z.boolean(),
      default: z.string().nullable(),
      lookup: z.string().optional(),
    }),
  ),
  chart: z.object({ kind: z.enum(['line', 'bar']), x: z.string(), y: z.array(z.string()), series: z.string().nullable() }).nullable(),
  sql: z.string(),
});

const storedSchema = z.object({
  v: z.literal(1),
  draft: looseDraft,
  /** The values typed into the run form. */
  values: z.record(z.string(), z.string()),
  /** What the draft started from (the saved report then), to say when the report changed since. */
  base: looseDraft.nullable(),
  savedAt: z.string(),
});
export type StoredDraft = z.infer<typeof storedSchema>;

/** The kept draft under a key; null when there is none, or what is there cannot be read (it is then dropped). */
export function readDraft(storage: KeyValueStorage | null, key: string): StoredDraft | null {
  const text = storage?.getItem(PREFIX + key) ?? null;
  if (text === null) return null;
  try {
    const parsed = storedSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: dropped below.
  }
  storage?.removeItem(PREFIX + key);
  return null;
}

/** Keeps a draft; says why not when the storage refuses it (full, or not there). */
export function writeDraft(storage: KeyValueStorage | null, key: string, entry: StoredDraft): { ok: true } | { ok: false; message: string } {
  if (!storage) return { ok: false, message: 'This window cannot keep drafts (its storage is not available).' };
  try {
    storage.setItem(PREFIX + key, JSON.stringify(entry));
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `The draft could not be kept: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function removeDraft(storage: KeyValueStorage | null, key: string): void {
  storage?.removeItem(PREFIX + key);
}

/** Every kept draft's key, sorted. */
export function draftKeys(storage: KeyValueStorage | null): string[] {
  if (!storage) return [];
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key?.startsWith(PREFIX)) keys.push(key.slice(PREFIX.length));
  }
  return keys.sort();
}

/** Whether a storage key (from a `storage` event) is a draft's. */
export function isDraftStorageKey(key: string | null): boolean {
  return key === null || key.startsWith(PREFIX);
}

/** Two drafts are the same report when every field is (parameters and chart compared as they are written). */
export function sameDraft(a: ReportDraft, b: ReportDraft): boolean {
  const norm = (d: ReportDraft) =>
    JSON.stringify([d.id, d.title, d.description, d.sql, d.chart, d.params.map((p) => [p.name, p.type, p.label, p.required, p.default, p.lookup ?? null])]);
  return norm(a) === norm(b);
}
