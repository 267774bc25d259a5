/**
 * At most `limit` channels open at once on one connection: sshd refuses sessions beyond its
 * MaxSessions (10 by default), so extra commands wait their turn instead of failing.
 */
export class ChannelLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
