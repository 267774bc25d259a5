/**
 * Flow control from the window back to the shell. The window says how far it has drawn
 * (`terminal.ack`, a byte offset); when it falls more than `high` bytes behind what was sent, the
 * SSH channel is paused, so the server's pty blocks the way a real terminal's would, and it resumes
 * once the window is within `low`. A 100 MiB `cat` then costs what the window can draw, not a queue of
 * everything the server could send held in the core's event stream and the window (measured: +59 MiB
 * peak RSS in the browser shell's process with it, +182 MiB without; `npm run bench:terminal-window`).
 * 8 MiB is far more than a screen needs and keeps a window that draws as fast as the link fed.
 *
 * A window may go away without a word (a reload, a closed browser tab). A paused terminal that hears
 * no ack for `unwatchedMs` resumes and stops pausing until some window acks again: output still goes
 * to the transcript and the replay, and a shell must never hang on a window nobody looks at.
 */

export interface FlowOptions {
  high: number;
  low: number;
  unwatchedMs: number;
}

export const FLOW_DEFAULTS: FlowOptions = { high: 8 * 1024 * 1024, low: 2 * 1024 * 1024, unwatchedMs: 5000 };

export interface FlowTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: FlowTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class TerminalFlow {
  private sentTo = 0;
  private drawnTo = 0;
  private paused = false;
  /** Until a window acks, nobody is known to be drawing: nothing waits for one. */
  private watched = false;
  private unwatchedTimer: unknown = null;

  constructor(
    private readonly channel: { pause(): void; resume(): void },
    private readonly options: FlowOptions = FLOW_DEFAULTS,
    private readonly timers: FlowTimers = realTimers,
  ) {}

  get isPaused(): boolean {
    return this.paused;
  }

  /** Output up to `offset` has been sent to the windows. */
  sent(offset: number): void {
    this.sentTo = Math.max(this.sentTo, offset);
    if (!this.paused && this.watched && this.sentTo - this.drawnTo > this.options.high) {
      this.paused = true;
      this.channel.pause();
      this.armUnwatched();
    }
  }

  /** A window has drawn everything before `offset`. The fastest window sets the pace. */
  acked(offset: number): void {
    this.watched = true;
    this.drawnTo = Math.max(this.drawnTo, Math.min(offset, this.sentTo));
    if (!this.paused) return;
    if (this.sentTo - this.drawnTo <= this.options.low) this.resume();
    else this.armUnwatched();
  }

  /** A window takes the replay and draws on from `offset`: it is caught up. */
  caughtUp(offset: number): void {
    this.acked(offset);
  }

  dispose(): void {
    this.disarm();
  }

  private resume(): void {
    this.disarm();
    this.paused = false;
    this.channel.resume();
  }

  private armUnwatched(): void {
    this.disarm();
    this.unwatchedTimer = this.timers.setTimeout(() => {
      this.unwatchedTimer = null;
      this.watched = false;
      this.resume();
    }, this.options.unwatchedMs);
  }

  private disarm(): void {
    if (this.unwatchedTimer !== null) this.timers.clearTimeout(this.unwatchedTimer);
    this.unwatchedTimer = null;
  }
}
