import { randomUUID } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import { BoundedOutput } from './bounded-output.js';
import { TerminalBatcher } from './output-batcher.js';
import { TerminalFlow } from './terminal-flow.js';
import { transcriptNote } from './transcript.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { hopsOf, whereOf, type SshDeps } from './ssh-deps.js';

interface OpenTerminal {
  server: StoredServer;
  channel: ClientChannel;
  transcript: BoundedOutput;
  /** The screen's recent output, for a window that shows this terminal again (after a reload). */
  recent: RecentOutput;
  /** Coalesces the shell's output into terminal.output events (output-batcher.ts). */
  output: TerminalBatcher;
  /** Pauses the channel while the windows fall behind (terminal-flow.ts). */
  flow: TerminalFlow;
  openedAt: string;
  where: string;
  closing: Promise<number | null> | null;
}

/** Bytes of a terminal's latest output kept to draw it again in a window that comes back to it. */
export const REPLAY_BYTES = 128 * 1024;

/**
 * The last `limit` bytes a terminal printed, and how many it printed in all: the offset of the next
 * terminal.output, so a window that takes the replay knows which events it already holds.
 */
export class RecentOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  total = 0;

  constructor(private readonly limit = REPLAY_BYTES) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }

  /** The replay: from a line start when the kept bytes begin mid-line, so no half escape sequence or character opens it. */
  replay(): string {
    let bytes = Buffer.concat(this.chunks);
    if (bytes.length > this.limit) bytes = bytes.subarray(bytes.length - this.limit);
    if (this.total > bytes.length) {
      const newline = bytes.indexOf(0x0a);
      bytes = newline >= 0 ? bytes.subarray(newline + 1) : Buffer.alloc(0);
    }
    return bytes.toString('utf8');
  }
}

/** Interactive shells; each one's transcript becomes a note on its ticket when it ends. */
export function terminalHandlers(
  ws: Workspace,
  ssh: SshDeps,
): HandlerGroup<'terminal.open' | 'terminal.input' | 'terminal.ack' | 'terminal.resize' | 'terminal.close' | 'terminal.list' | 'terminal.attach'> {
  const open = new Map<string, OpenTerminal>();

  const get = (terminalId: string): OpenTerminal => {
    const terminal = open.get(terminalId);
    if (!terminal) throw new BacklineError('NOT_FOUND', 'That terminal has ended.', { hint: 'Open a new one from the Servers tab.' });
    return terminal;
  };

  /** Saves the transcript once, however the terminal ended. */
  const finish = (terminalId: string, reason: string): Promise<number | null> => {
    const terminal = open.get(terminalId);
    if (!terminal) return Promise.resolve(null);
    terminal.closing ??= (async () => {
      open.delete(terminalId);
      terminal.flow.dispose();
      // Output still pending reaches the window before the terminal is said to have ended.
      terminal.output.flush();
      await terminal.transcript.finish();
      const result = terminal.transcript.result();
      const note = ws.change((tx) => {
        const body = transcriptNote(
          terminal.server.label,
          terminal.where,
          terminal.openedAt,
          tx.now,
          result.text,
          result.truncated ? `Long session: the middle was cut; the full output is in ${result.fullOutputFile ?? 'no file'}.` : null,
        );
        const saved = ws.notes.create(terminal.server.ticketId, `Terminal: ${terminal.server.label} ${terminal.openedAt.slice(0, 16).replace('T', ' ')}`, body, tx.now);
        tx.record({
          ticketId: terminal.server.ticketId,
          action: 'ssh.terminal.closed',
          summary: `Terminal on ${terminal.server.label} ended (${reason}); transcript saved as a note`,
          detail: { terminalId, noteId: saved.id, bytes: result.totalBytes },
        });
        tx.emit('note.saved', saved);
        return saved;
      });
      ws.publish('terminal.closed', { terminalId, reason, noteId: note.id });
      return note.id;
    })();
    return terminal.closing;
  };

  return {
    'terminal.open': async ({ serverId, cols, rows }) => {
      const server = ws.servers.get(serverId);
      const channel = await ssh.sessions.shell(serverId, hopsOf(ssh, server), { cols, rows });
      const terminalId = `term-${randomUUID()}`;
      const terminal: OpenTerminal = {
        server,
        channel,
        transcript: new BoundedOutput({ headBytes: 1024 * 1024, tailBytes: 1024 * 1024, spillFile: `${ssh.runsDir}/${terminalId}.transcript` }),
        recent: new RecentOutput(),
        // What the window was sent, and nothing else, is what a window coming back replays: the offsets agree.
        output: new TerminalBatcher((bytes) => {
          const offset = terminal.recent.total;
          terminal.recent.push(bytes);
          ws.publish('terminal.output', { terminalId, data: bytes.toString('utf8'), offset, bytes: bytes.length });
          terminal.flow.sent(terminal.recent.total);
        }),
        flow: new TerminalFlow({
          pause: () => {
            channel.pause();
            channel.stderr.pause();
          },
          resume: () => {
            channel.resume();
            channel.stderr.resume();
          },
        }),
        openedAt: ws.now(),
        where: whereOf(ssh, server),
        closing: null,
      };
      open.set(terminalId, terminal);
      const onData = (chunk: Buffer) => {
        terminal.transcript.write(chunk);
        terminal.output.push(chunk);
      };
      channel.on('data', onData);
      channel.stderr.on('data', onData);
      channel.on('close', () => void finish(terminalId, 'the shell ended'));
      ws.change((tx) =>
        tx.record({ ticketId: server.ticketId, action: 'ssh.terminal.opened', summary: `Opened a terminal on ${server.label} (${terminal.where})`, detail: { terminalId } }),
      );
      return { terminalId };
    },
    'terminal.input': ({ terminalId, data }) => {
      get(terminalId).channel.write(data);
      return { ok: true as const };
    },
    'terminal.ack': ({ terminalId, offset }) => {
      get(terminalId).flow.acked(offset);
      return { ok: true as const };
    },
    'terminal.resize': ({ terminalId, cols, rows }) => {
      get(terminalId).channel.setWindow(rows, cols, 0, 0);
      return { ok: true as const };
    },
    'terminal.list': () =>
      [...open.entries()]
        .filter(([, terminal]) => terminal.closing === null)
        .map(([terminalId, terminal]) => ({
          terminalId,
          serverId: terminal.server.id,
          ticketId: terminal.server.ticketId,
          label: terminal.server.label,
          where: terminal.where,
          openedAt: terminal.openedAt,
        })),
    'terminal.attach': ({ terminalId }) => {
      const terminal = get(terminalId);
      terminal.flow.caughtUp(terminal.recent.total);
      return { screen: terminal.recent.replay(), offset: terminal.recent.total };
    },
    'terminal.close': async ({ terminalId }) => {
      const terminal = get(terminalId);
      const saved = finish(terminalId, 'closed by the engineer');
      terminal.channel.close();
      return { noteId: await saved };
    },
  };
}
