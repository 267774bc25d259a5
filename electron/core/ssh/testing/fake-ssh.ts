import { join } from 'node:path';
import type { WireResult } from '../../../../shared/bridge.js';
import type { MethodInput, MethodName, MethodOutput } from '../../../../shared/contract/index.js';
import { BacklineError } from '../../../../shared/errors.js';
import { createDispatch } from '../../dispatch.js';
import { EventBus } from '../../events.js';
import type { Handlers } from '../../handlers.js';
import { openWorkspaceDb } from '../../store/database.js';
import { tempDir } from '../../testing/temp-dir.js';
import { findingHandlers } from '../../workspace/finding-handlers.js';
import { noteHandlers } from '../../workspace/note-handlers.js';
import { ticketHandlers } from '../../workspace/ticket-handlers.js';
import { Workspace } from '../../workspace/workspace.js';
import type { HostKeyStore } from '../host-key-store.js';
import { localSsh } from '../local-ssh.js';
import { BoundedOutput } from '../bounded-output.js';
import type { ExecOptions, ExecResult } from '../remote-exec.js';
import { RemoteRunner } from '../remote.js';
import { runHandlers } from '../run-handlers.js';
import { serverHandlers } from '../server-handlers.js';
import type { SshDeps } from '../ssh-deps.js';
import type { SshSessions } from '../sessions.js';

/** What a fake server does with an argv: print, then end (or fail, or wait for the cancel signal). */
export interface FakeScript {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Fails the run as the real runner would (the command did not complete). */
  error?: BacklineError;
  /** Waits until cancelled, then ends as CANCELLED. */
  hang?: boolean;
}

/**
 * The commands and runs handlers over a real workspace (SQLite in a temp folder) and a fake SSH
 * layer: `script(label, argv)` says what each server answers. For what does not need a real server
 * (history, evidence, audit); the lab tests carry argv to real ones.
 */
export function fakeSshCore(script: (label: string, argv: readonly string[]) => FakeScript = () => ({ stdout: 'ok\n', exitCode: 0 })) {
  const dir = tempDir();
  const db = openWorkspaceDb(join(dir.path, 'backline.sqlite'));
  const events = new EventBus();
  const published: { event: string; payload: unknown }[] = [];
  events.subscribe((event, payload) => published.push({ event, payload }));
  let clock = Date.parse('2026-11-25T09:00:00.000Z');
  const ws = new Workspace(db, events, 'esc', () => new Date((clock += 1000)));
  const execs: { serverId: number; argv: readonly string[]; sudo: boolean }[] = [];

  const exec = async (serverId: number, _hops: unknown, argv: readonly string[], options: ExecOptions): Promise<ExecResult> => {
    execs.push({ serverId, argv, sudo: options.sudo });
    const server = ws.servers.get(serverId);
    const plan = script(server.label, argv);
    const streams = {
      stdout: new BoundedOutput({ headBytes: options.output.headBytes, tailBytes: options.output.tailBytes, ...(options.output.spillFile ? { spillFile: options.output.spillFile('stdout') } : {}) }),
      stderr: new BoundedOutput({ headBytes: options.output.headBytes, tailBytes: options.output.tailBytes, ...(options.output.spillFile ? { spillFile: options.output.spillFile('stderr') } : {}) }),
    };
    const emit = (stream: 'stdout' | 'stderr', text: string | undefined) => {
      if (!text) return;
      const chunk = Buffer.from(text);
      streams[stream].write(chunk);
      options.onData?.(stream, chunk);
    };
    emit('stdout', plan.stdout);
    emit('stderr', plan.stderr);
    let error = plan.error ?? null;
    if (plan.hang) {
      await new Promise<void>((resolve) => {
        if (options.signal?.aborted) resolve();
        options.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      error = new BacklineError('CANCELLED', 'The command was cancelled.');
    }
    await streams.stdout.finish();
    await streams.stderr.finish();
    return { exitCode: error ? null : (plan.exitCode ?? 0), signal: null, durationMs: 12, stdout: streams.stdout.result(), stderr: streams.stderr.result(), error };
  };

  const sessions = { exec, state: () => 'connected', secretsFor: () => ({}), disconnect: () => undefined } as unknown as SshSessions;
  const ssh: SshDeps = {
    sessions,
    hostKeys: {} as HostKeyStore,
    local: localSsh({ home: dir.path, user: 'engineer', agentSocket: null }),
    runsDir: join(dir.path, 'runs'),
    output: { headBytes: 64, tailBytes: 64, liveBudgetBytes: 1024, auditBytes: 1024 },
  };
  const remote = new RemoteRunner(ws, ssh);
  const handlers = {
    ...ticketHandlers(ws),
    ...noteHandlers(ws),
    ...findingHandlers(ws),
    ...serverHandlers(ws, ssh, remote),
    ...runHandlers(ws),
  } as Handlers;
  const dispatch = createDispatch(handlers, () => undefined);
  const raw = (method: string, input: unknown): Promise<WireResult> => dispatch(method, input, { shell: 'browser' });
  const call = async <K extends MethodName>(method: K, input: MethodInput<K>): Promise<MethodOutput<K>> => {
    const result = await raw(method, input);
    if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.code} ${result.error.message}`), { wire: result.error });
    return result.value as MethodOutput<K>;
  };
  return {
    ws,
    db,
    remote,
    ssh,
    execs,
    published,
    call,
    raw,
    dir: dir.path,
    close: () => {
      db.close();
      dir.remove();
    },
  };
}
