import { randomUUID } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import { BoundedOutput } from './bounded-output.js';
import { transcriptNote } from './transcript.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { hopsOf, whereOf, type SshDeps } from './ssh-deps.js';

interface OpenTerminal {
  server: StoredServer;
  channel: ClientChannel;
  transcript: BoundedOutput;
  openedAt: string;
  where: string;
  closing: Promise<number | null> | null;
}

/** Interactive shells; each one's transcript becomes a note on its ticket when it ends. */
export function terminalHandlers(ws: Workspace, ssh: SshDeps): HandlerGroup<'terminal.open' | 'terminal.input' | 'terminal.resize' | 'terminal.close'> {
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
        openedAt: ws.now(),
        where: whereOf(ssh, server),
        closing: null,
      };
      open.set(terminalId, terminal);
      const onData = (chunk: Buffer) => {
        terminal.transcript.write(chunk);
        ws.publish('terminal.output', { terminalId, data: chunk.toString('utf8') });
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
    'terminal.resize': ({ terminalId, cols, rows }) => {
      get(terminalId).channel.setWindow(rows, cols, 0, 0);
      return { ok: true as const };
    },
    'terminal.close': async ({ terminalId }) => {
      const terminal = get(terminalId);
      const saved = finish(terminalId, 'closed by the engineer');
      terminal.channel.close();
      return { noteId: await saved };
    },
  };
}
