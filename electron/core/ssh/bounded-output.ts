import { formatSize } from '../../../shared/domain/size.js';
import { closeSync, createWriteStream, fchmodSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../data-dir.js';

export interface BoundedOutputOptions {
  /** Bytes kept from the start of the output. */
  headBytes: number;
  /** Bytes kept from the end of the output. */
  tailBytes: number;
  /** Where the full output is written once it outgrows head + tail; omitted, the middle is dropped. */
  spillFile?: string;
}

export interface BoundedText {
  text: string;
  totalBytes: number;
  truncated: boolean;
  /** The file holding the full output, when it was kept. */
  fullOutputFile: string | null;
}

/**
 * Holds at most head + tail bytes of a stream in memory, whatever its size: a 200 MB output costs
 * the same memory as a 1 MB one. Once the output outgrows the budget, everything (from the first
 * byte) also goes to the spill file, so nothing is lost, only kept out of memory.
 */
export class BoundedOutput {
  private head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private total = 0;
  private spill: WriteStream | null = null;

  constructor(private readonly options: BoundedOutputOptions) {}

  write(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.spill) {
      this.spill.write(chunk);
    } else if (this.total > this.options.headBytes + this.options.tailBytes && this.options.spillFile) {
      // Command output and transcripts are for this user only: runs/ 0700, the file 0600, whatever the umask.
      makePrivateDir(dirname(this.options.spillFile));
      const fd = openSync(this.options.spillFile, 'w', PRIVATE_FILE_MODE);
      try {
        fchmodSync(fd, PRIVATE_FILE_MODE);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      this.spill = createWriteStream(this.options.spillFile, { fd });
      for (const part of [...this.head, ...this.tail]) this.spill.write(part);
      this.spill.write(chunk);
    }
    let rest = chunk;
    if (this.headSize < this.options.headBytes) {
      const take = rest.subarray(0, this.options.headBytes - this.headSize);
      this.head.push(Buffer.from(take));
      this.headSize += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(Buffer.from(rest));
    this.tailSize += rest.length;
    while (this.tailSize - (this.tail[0]?.length ?? 0) >= this.options.tailBytes && this.tail.length > 1) {
      this.tailSize -= this.tail.shift()!.length;
    }
  }

  /** Waits for the spill file to be complete. */
  async finish(): Promise<void> {
    const spill = this.spill;
    if (spill) await new Promise<void>((resolve, reject) => spill.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  get totalBytes(): number {
    return this.total;
  }

  result(): BoundedText {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.options.tailBytes) tail = tail.subarray(tail.length - this.options.tailBytes);
    const kept = head.length + tail.length;
    const truncated = kept < this.total;
    const file = this.spill ? this.options.spillFile ?? null : null;
    const marker = truncated
      ? `\n[… ${formatSize(this.total - kept)} cut by Backline; ${file ? `full output in ${file}` : 'the middle was not kept'} …]\n`
      : '';
    return {
      text: head.toString('utf8') + marker + tail.toString('utf8'),
      totalBytes: this.total,
      truncated,
      fullOutputFile: file,
    };
  }
}
