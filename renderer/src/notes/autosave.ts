import type { Note } from '../../../shared/domain/note.js';
import { BacklineError, type WireError } from '../../../shared/errors.js';

export interface Draft {
  title: string;
  body: string;
}

/** What the saver sends: `id` is null until the first save creates the note. */
export interface SaveRequest extends Draft {
  id: number | null;
  baseRevision: number;
}

export type SaveStatus =
  | { kind: 'saved'; at: string | null }
  | { kind: 'saving' }
  | { kind: 'dirty' }
  | { kind: 'error'; error: WireError };

export interface AutosaveSnapshot {
  noteId: number | null;
  revision: number;
  draft: Draft;
  status: SaveStatus;
  /** True while what the user sees differs from what the server last confirmed. */
  hasLocalChanges: boolean;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface AutosaverOptions {
  save(request: SaveRequest): Promise<Note>;
  delayMs?: number;
  timers?: Timers;
  /** Told once per failed save, so the shell can notify without repeating itself on every keystroke. */
  onError?(error: WireError): void;
}

const defaultTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function toWire(error: unknown): WireError {
  if (error instanceof BacklineError) return error.toWire();
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

const sameDraft = (a: Draft, b: Draft): boolean => a.title === b.title && a.body === b.body;

/**
 * Debounced, queued autosave for one note, independent of React so it can be tested and so a save
 * in flight survives the editor unmounting. At most one save is in flight; edits made meanwhile are
 * sent once it returns, against the revision it produced, so nothing the user typed is dropped.
 */
export class Autosaver {
  private noteId: number | null;
  private revision: number;
  private confirmed: Draft;
  private draft: Draft;
  private savedAt: string | null;
  private inFlight = false;
  /** Bumped by load/rebase, so a save that was in flight before cannot overwrite what the user chose. */
  private generation = 0;
  private error: WireError | null = null;
  private timer: unknown = null;
  private snapshotCache: AutosaveSnapshot | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly delayMs: number;
  private readonly timers: Timers;

  constructor(
    initial: Note | null,
    private readonly options: AutosaverOptions,
  ) {
    this.noteId = initial?.id ?? null;
    this.revision = initial?.revision ?? 0;
    this.confirmed = { title: initial?.title ?? '', body: initial?.body ?? '' };
    this.draft = { ...this.confirmed };
    this.savedAt = initial?.updatedAt ?? null;
    this.delayMs = options.delayMs ?? 600;
    this.timers = options.timers ?? defaultTimers;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Stable between changes, as useSyncExternalStore requires. */
  getSnapshot = (): AutosaveSnapshot => {
    this.snapshotCache ??= {
      noteId: this.noteId,
      revision: this.revision,
      draft: this.draft,
      status: this.status(),
      hasLocalChanges: this.hasLocalChanges(),
    };
    return this.snapshotCache;
  };

  /** The user changed the text: save once they pause. */
  edit(patch: Partial<Draft>): void {
    this.draft = { ...this.draft, ...patch };
    this.schedule();
    this.changed();
  }

  /** Save now (blur, Ctrl+S, leaving the note); queued behind a save already in flight. */
  flush(): void {
    this.cancelTimer();
    if (this.inFlight) return; // The in-flight save's completion sends whatever is newer.
    // After a conflict every save would be refused too; wait for the user to reload or keep theirs.
    if (this.error?.code === 'CONFLICT') return;
    if (!this.hasLocalChanges()) return;
    const sending = this.draft;
    const generation = this.generation;
    this.inFlight = true;
    this.changed();
    this.options
      .save({ id: this.noteId, baseRevision: this.revision, ...sending })
      .then((note) => {
        if (generation !== this.generation) return;
        this.noteId = note.id;
        this.revision = note.revision;
        // Compare against what we sent, not what the server normalised, so a trimmed title is not "unsaved".
        this.confirmed = sending;
        // A blank title was not sent; show the one the note kept (or got by default) unless the user retyped it.
        if (!sending.title.trim() && this.draft.title === sending.title) {
          this.confirmed = { ...sending, title: note.title };
          this.draft = { ...this.draft, title: note.title };
        }
        this.savedAt = note.updatedAt;
        this.error = null;
      })
      .catch((error: unknown) => {
        if (generation !== this.generation) return;
        const wire = toWire(error);
        const repeated = this.error?.code === wire.code;
        this.error = wire;
        if (!repeated) this.options.onError?.(wire);
      })
      .finally(() => {
        this.inFlight = false;
        // Typed while saving: send it now rather than after another pause. Not after an error, or a
        // refused save (a conflict, say) would repeat in a loop; the next edit or flush retries.
        if (!this.error && this.hasLocalChanges()) this.flush();
        this.changed();
      });
  }

  /** Another window saved this note. Take it only if nothing local would be overwritten. */
  remoteSaved(note: Note): void {
    if (note.id !== this.noteId || note.revision <= this.revision) return;
    if (this.inFlight || this.hasLocalChanges() || this.error) return; // The next save gets CONFLICT and the user decides.
    this.load(note);
  }

  /** Replace everything with the server's version (the user chose "Reload note"). */
  load(note: Note): void {
    this.cancelTimer();
    this.generation++;
    this.noteId = note.id;
    this.revision = note.revision;
    this.confirmed = { title: note.title, body: note.body };
    this.draft = { ...this.confirmed };
    this.savedAt = note.updatedAt;
    this.error = null;
    this.changed();
  }

  /** Keep the local text but save it on top of the server's latest revision (the user chose "Keep mine"). */
  rebase(note: Note): void {
    this.generation++;
    this.noteId = note.id;
    this.revision = note.revision;
    this.confirmed = { title: note.title, body: note.body };
    this.error = null;
    this.changed();
    this.flush();
  }

  private hasLocalChanges(): boolean {
    return !sameDraft(this.draft, this.confirmed);
  }

  private status(): SaveStatus {
    if (this.inFlight) return { kind: 'saving' };
    if (this.error) return { kind: 'error', error: this.error };
    if (this.hasLocalChanges()) return { kind: 'dirty' };
    return { kind: 'saved', at: this.savedAt };
  }

  private schedule(): void {
    this.cancelTimer();
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.flush();
    }, this.delayMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private changed(): void {
    this.snapshotCache = null;
    for (const listener of this.listeners) listener();
  }
}
