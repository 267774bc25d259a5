/** Bytes drawn between two acks: few enough requests while a flood draws, well inside the core's 512 KiB resume mark. */
export const ACK_STEP = 512 * 1024;

/**
 * Tells the core how far this window has drawn a terminal's output (terminal.ack), so a shell that
 * prints faster than the window can draw is paused instead of queueing megabytes here
 * (electron/core/ssh/terminal-flow.ts). Acks go out every `step` bytes drawn, not per event: a
 * keystroke's echo costs no extra request.
 */
export class DrawnAcks {
  private acked = 0;

  constructor(
    private readonly send: (offset: number) => void,
    private readonly step = ACK_STEP,
  ) {}

  /** Everything before `offset` is drawn on the screen. */
  drawn(offset: number): void {
    if (offset - this.acked < this.step) return;
    this.acked = offset;
    this.send(offset);
  }

  /** A replay was drawn up to `offset`: the core counts it as drawn already (terminal.attach). */
  caughtUp(offset: number): void {
    this.acked = Math.max(this.acked, offset);
  }
}
