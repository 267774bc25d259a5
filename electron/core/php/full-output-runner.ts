import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { BoundedText } from '../ssh/bounded-output.js';
import { RemoteRunner, type RemoteRequest, type RemoteResult } from '../ssh/remote.js';
import type { SshDeps } from '../ssh/ssh-deps.js';
import type { Workspace } from '../workspace/workspace.js';

/**
 * The one runner, for PHP's probes and scans, with their full output reachable from the audit (issue
 * 12, item 6). The audit entry keeps the first `auditBytes` of a stream inline; a probe's output is
 * often more (a memory picture, an nginx -T, a scan's hits). So each stream is kept in memory only up
 * to that size and spilled to a private file under runs/ beyond it, which the audit entry names
 * (`fullOutputFiles`); the caller still gets the whole text (read back, up to what it asked to keep).
 */
export class FullOutputRunner extends RemoteRunner {
  constructor(
    ws: Workspace,
    private readonly deps: SshDeps,
  ) {
    super(ws, deps);
  }

  override async run(request: RemoteRequest): Promise<RemoteResult> {
    const wanted = request.output ?? { headBytes: 4 * 1024 * 1024, tailBytes: 64 * 1024 };
    if (wanted.spillFile) return super.run(request);
    const name = `php-${randomBytes(5).toString('hex')}`;
    const half = Math.max(1024, Math.floor(this.deps.output.auditBytes / 2));
    const result = await super.run({
      ...request,
      output: { headBytes: half, tailBytes: half, spillFile: (stream) => join(this.deps.runsDir, `${name}.${stream}`) },
    });
    return {
      ...result,
      stdout: readBack(result.stdout, wanted.headBytes, wanted.tailBytes),
      stderr: readBack(result.stderr, wanted.headBytes, wanted.tailBytes),
    };
  }
}

/** The stream's text as the caller asked to keep it (head + tail), from the spill file when there is one. */
export function readBack(kept: BoundedText, headBytes: number, tailBytes: number): BoundedText {
  if (!kept.fullOutputFile) return kept;
  const fd = openSync(kept.fullOutputFile, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const got = readSync(fd, buffer, 0, length, position);
      return buffer.subarray(0, got);
    };
    if (size <= headBytes + tailBytes) return { text: read(0, size).toString('utf8'), totalBytes: size, truncated: false, fullOutputFile: kept.fullOutputFile };
    const head = read(0, headBytes).toString('utf8');
    const tail = tailBytes > 0 ? read(size - tailBytes, tailBytes).toString('utf8') : '';
    const marker = `\n[… ${size - headBytes - tailBytes} bytes cut by Backline; full output in ${kept.fullOutputFile} …]\n`;
    return { text: head + marker + tail, totalBytes: size, truncated: true, fullOutputFile: kept.fullOutputFile };
  } finally {
    closeSync(fd);
  }
}
