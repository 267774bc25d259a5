/**
 * Batches a command's live output into a few events per second and stops after a budget, so a
 * command printing 200 MB cannot flood the window; the result and the spill file keep everything.
 */
export class OutputBatcher {
  private pending = '';
  private sent = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly send: (data: string) => void,
    private readonly budgetBytes: number,
    private readonly intervalMs = 100,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.pending += chunk.toString('utf8');
    if (this.sent + this.pending.length >= this.budgetBytes) {
      this.pending = this.pending.slice(0, Math.max(0, this.budgetBytes - this.sent));
      this.pending += '\n[… live output stops here; the full result follows when the command ends …]\n';
      this.stopped = true;
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === '') return;
    this.sent += this.pending.length;
    const data = this.pending;
    this.pending = '';
    this.send(data);
  }
}
