/**
 * At most `limit` channels open at once on one connection. sshd refuses sessions beyond its
 * MaxSessions (10 by default, as low as 1 or 2 on hardened servers) and does not say what the limit
 * is, so it is learned: when the server refuses a channel while others of ours are open, the limit
 * drops below what was open, and the refused command waits its turn instead of failing.
 */
export class ChannelLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limit: number) {}

  get current(): number {
    return this.limit;
  }

  /** Channels of ours open now (the caller's own included, while it holds one). */
  get open(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    // Woken by release, which hands its slot over without counting it down.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.active <= this.limit ? this.waiting.shift() : undefined;
    if (next) next();
    else this.active--;
  }

  /**
   * The server refused a channel while `open` of ours were open (the refused one included). It allows
   * fewer: keep one below that, so a second channel (the kill of a cancelled command) still fits.
   * Returns false when nothing of ours was open besides the refused one: the limit cannot be the cause.
   */
  refused(open: number): boolean {
    if (open <= 1) return false;
    this.limit = Math.max(1, Math.min(this.limit, open - 2));
    return true;
  }
}
