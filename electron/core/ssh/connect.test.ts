import type { AddressInfo } from 'node:net';
import ssh2, { type AuthContext, type Server } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { connectHop, type ConnectOptions, type Hop } from './connect.js';
import { sha256Fingerprint } from './fingerprint.js';

const { Server: SshServer, utils } = ssh2;

/**
 * A tiny ssh2 server on loopback playing PAM's conversations (the lab's sshd has no second factor to
 * ask for): password auth is refused, keyboard-interactive asks `rounds` in turn and records every answer.
 */
function pamServer(rounds: { prompt: string; echo: boolean }[][], password: string) {
  const answers: string[][] = [];
  const server: Server = new SshServer({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx: AuthContext) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
      const ask = (index: number): void => {
        const round = rounds[index];
        if (!round) return ctx.accept();
        ctx.prompt(round, (given) => {
          answers.push(given);
          if (round.some((p) => /password/i.test(p.prompt)) && given[0] !== password) return ctx.reject();
          ask(index + 1);
        });
      };
      ask(0);
    });
    client.on('ready', () => client.end());
  });
  return { server, answers };
}

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const options: ConnectOptions = {
  connectTimeoutMs: 5000,
  keepaliveIntervalS: 0,
  keepaliveCountMax: 1,
  checkHostKey: () => ({ status: 'known' }),
  fingerprint: sha256Fingerprint,
};
const hop = (port: number, password: string): Hop => ({
  label: 'pam',
  host: '127.0.0.1',
  port,
  user: 'ops',
  hostKeyName: '127.0.0.1',
  credentials: { keys: [], password },
});

describe('keyboard-interactive', () => {
  it('answers the password prompt with the password', async () => {
    const { server, answers } = pamServer([[{ prompt: '(ops@127.0.0.1) Password: ', echo: false }]], 'hunter2');
    const client = await connectHop(hop(await listen(server), 'hunter2'), options);
    client.end();
    expect(answers).toEqual([['hunter2']]);
  });

  it('never types the password into a second-factor prompt, and says what the server asked', async () => {
    const { server, answers } = pamServer([[{ prompt: 'Verification code: ', echo: false }]], 'hunter2');
    const error: unknown = await connectHop(hop(await listen(server), 'hunter2'), options).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SSH_SECOND_FACTOR', message: expect.stringContaining('"Verification code:"') as unknown });
    expect((error as { hint: string }).hint).toMatch(/own terminal.*or use a key/);
    expect(answers).toEqual([]);
  });

  it('stops at the code asked after an accepted password, answering it with nothing', async () => {
    const { server, answers } = pamServer([[{ prompt: 'Password: ', echo: false }], [{ prompt: 'One-time password (OATH) for `ops\': ', echo: false }]], 'hunter2');
    const error: unknown = await connectHop(hop(await listen(server), 'hunter2'), options).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SSH_SECOND_FACTOR' });
    expect(answers).toEqual([['hunter2']]);
  });
});
