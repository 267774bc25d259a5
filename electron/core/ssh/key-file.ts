import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** OpenSSH's own limit on a key file (authfile.c, MAX_KEY_FILE_SIZE); real private keys are a few KiB. */
export const KEY_FILE_MAX_BYTES = 1024 * 1024;

export type KeyFileReason = 'missing' | 'unreadable' | 'not-a-file' | 'too-large';

/** Why a key file can't be used, with what to do about it. */
export class KeyFileProblem extends Error {
  constructor(
    readonly path: string,
    readonly reason: KeyFileReason,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'KeyFileProblem';
  }
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function checkStats(path: string, stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) {
    throw new KeyFileProblem(path, 'not-a-file', `${path} is ${kindOf(stats)}, not a key file.`, 'Give the path of the private key file itself, e.g. ~/.ssh/id_ed25519.');
  }
  if (stats.size > maxBytes) {
    throw new KeyFileProblem(
      path,
      'too-large',
      `${path} is ${mib(stats.size)}; a private key is a few KiB, and Backline reads at most ${mib(maxBytes)}.`,
      'Check that the path names the private key (not an archive, a log or a disk image).',
    );
  }
}

function openProblem(path: string, error: unknown): KeyFileProblem {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOENT' || code === 'ENOTDIR') return new KeyFileProblem(path, 'missing', `${path} does not exist.`, 'Check the path of the key file.');
  if (code === 'EACCES' || code === 'EPERM') {
    return new KeyFileProblem(path, 'unreadable', `${path} may not be read by this user.`, 'Check its owner and permissions (chmod 600, owned by you).');
  }
  // ENXIO: a socket; others (ELOOP, EIO...) are rare but must still say which file.
  return new KeyFileProblem(path, 'unreadable', `${path} could not be read (${code || String(error)}).`, 'Give the path of the private key file itself, e.g. ~/.ssh/id_ed25519.');
}

/**
 * Reads a private key file without ever blocking the event loop: regular files only (a FIFO, a device
 * or a directory is refused before it is opened), at most `maxBytes`. The path comes from the window,
 * so nothing about it is trusted: it is checked again on the open handle (the path may change between
 * the two), opened non-blocking (opening a FIFO would wait for a writer), and read no further than the cap.
 */
export async function readKeyFile(path: string, maxBytes = KEY_FILE_MAX_BYTES): Promise<string> {
  try {
    checkStats(path, await stat(path), maxBytes);
  } catch (error) {
    throw error instanceof KeyFileProblem ? error : openProblem(path, error);
  }
  let handle;
  try {
    // O_NONBLOCK is POSIX only; on Windows there are no FIFOs to open by path.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    throw openProblem(path, error);
  }
  try {
    const stats = await handle.stat();
    checkStats(path, stats, maxBytes);
    // Sized by the file, not the cap (many servers connect at once); read on past the size, up to one
    // byte beyond the cap, in case the file grew after the check.
    const chunks: Buffer[] = [];
    let length = 0;
    for (let size = Math.min(stats.size, maxBytes) + 1; ; size = Math.min(64 * 1024, maxBytes + 1 - length)) {
      const chunk = Buffer.alloc(size);
      const { bytesRead } = await handle.read(chunk, 0, size, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) {
        throw new KeyFileProblem(path, 'too-large', `${path} is larger than ${mib(maxBytes)}, more than any private key.`, 'Check that the path names the private key.');
      }
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
