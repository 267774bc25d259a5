import type { AddressInfo } from 'node:net';
import ssh2, { type AuthContext, type Server } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { connectHop, describeFailure, tidyMessage, type ConnectOptions, type Hop } from './connect.js';
import { sha256Fingerprint } from './fingerprint.js';
import { testHostKey } from './testing/host-key.js';

const { Server: SshServer, utils } = ssh2;

/**
 * A tiny ssh2 server on loopback playing PAM's conversations (the lab's sshd has no second factor to
 * ask for): password auth is refused, keyboard-interactive asks `rounds` in turn and records every answer.
 */
function pamServer(rounds: { prompt: string; echo: boolean }[][], password: string) {
  const answers: string[][] = [];
  const server: Server = new SshServer({ hostKeys: [testHostKey()] }, (client) => {
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

/** A server that takes only the methods in `accepts`, records every method offered, and accepts `password`. */
function methodsServer(accepts: string[], password = 'hunter2') {
  const offered: string[] = [];
  const server: Server = new SshServer({ hostKeys: [testHostKey()] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx: AuthContext) => {
      offered.push(ctx.method);
      if (ctx.method === 'password' && accepts.includes('password') && ctx.password === password) return ctx.accept();
      return ctx.reject(accepts as AuthContext['method'][]);
    });
    client.on('ready', () => client.end());
  });
  return { server, offered };
}

const bare = (port: number, credentials: Hop['credentials'] = { keys: [] }): Hop => ({
  label: 'web2',
  host: '127.0.0.1',
  port,
  user: 'bl-ops',
  hostKeyName: '127.0.0.1',
  credentials,
});

describe('the first login question', () => {
  it('asks a password-only server for a password, without saying a login was refused before anything was typed', async () => {
    const { server, offered } = methodsServer(['password', 'keyboard-interactive']);
    const port = await listen(server);
    const error: unknown = await connectHop(bare(port), options).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'SSH_CREDENTIALS_NEEDED',
      message: `web2 (bl-ops@127.0.0.1:${port}) asks for a password.`,
      detail: { needs: 'password', accepts: ['password', 'keyboard-interactive'] },
    });
    expect((error as Error).message).not.toMatch(/refused|Tried|nothing usable/);
    // `none` only: it told us what the server takes, and nothing was sent for the engineer.
    expect(offered).toEqual(['none']);
    const client = await connectHop(bare(port, { keys: [], password: 'hunter2' }), options);
    client.end();
  });

  it('asks for the passphrase of a key that is locked by one', async () => {
    const { server } = methodsServer(['publickey']);
    const port = await listen(server);
    const locked = utils.generateKeyPairSync('ed25519', { passphrase: 'secret', cipher: 'aes256-cbc', rounds: 4 }).private;
    const keys = [{ path: '/home/eng/.ssh/id_ed25519', required: false, read: () => Promise.resolve(locked) }];
    const error: unknown = await connectHop(bare(port, { keys }), options).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SSH_CREDENTIALS_NEEDED', message: expect.stringMatching(/^The key \/home\/eng\/\.ssh\/id_ed25519 for web2 .* needs its passphrase\.$/) as unknown, detail: { needs: 'passphrase', keyFiles: ['/home/eng/.ssh/id_ed25519'] } });
    expect((error as { hint: string }).hint).toBe('Type the passphrase.');
  });

  it('never sends a password to a server that takes keys only, and says it wants a key', async () => {
    const { server, offered } = methodsServer(['publickey']);
    const port = await listen(server);
    const error: unknown = await connectHop(bare(port, { keys: [], password: 'hunter2' }), options).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SSH_CREDENTIALS_NEEDED', detail: { needs: 'key' }, message: expect.stringContaining('accepts publickey only, and Backline has no key to offer it') as unknown });
    expect(offered).toEqual(['none']);
  });

  it('says the login was refused, and what was tried, once something was', async () => {
    const { server } = methodsServer(['password']);
    const error: unknown = await connectHop(bare(await listen(server), { keys: [], password: 'wrong' }), options).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SSH_AUTH_FAILED', message: expect.stringContaining('refused the login. Tried: password.') as unknown });
  });
});

describe('messages', () => {
  const hopAt = bare(22);
  const failure = (code: string, message: string) => describeFailure(hopAt, Object.assign(new Error(message), { code }), { triedMethods: [], fingerprint: () => '' });

  it('says what a socket error means, with its code once', () => {
    expect(failure('EHOSTUNREACH', 'connect EHOSTUNREACH 10.77.0.99:22').message).toBe('web2 (bl-ops@127.0.0.1:22) could not be reached: no route to the host (EHOSTUNREACH).');
    expect(failure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:22').message).toBe('web2 (bl-ops@127.0.0.1:22) could not be reached: the connection was refused (ECONNREFUSED).');
    expect(failure('ENOTFOUND', 'getaddrinfo ENOTFOUND db1').message).toBe('web2 (bl-ops@127.0.0.1:22) could not be reached: 127.0.0.1 is not a name DNS knows (ENOTFOUND).');
    expect(failure('ENOTFOUND', 'x').hint).toMatch(/open the route/);
  });

  it('cleans repeated words and codes from other messages', () => {
    expect(tidyMessage('EHOSTUNREACH connect EHOSTUNREACH 10.0.0.9:22')).toBe('EHOSTUNREACH connect 10.0.0.9:22');
    expect(tidyMessage('the the  server closed closed the connection')).toBe('the server closed the connection');
    expect(tidyMessage('ETIMEDOUT: read ETIMEDOUT')).toBe('ETIMEDOUT: read');
    expect(failure('EWHATEVER', 'read EPIPE EPIPE').message).toBe('The connection to web2 (bl-ops@127.0.0.1:22) failed: read EPIPE');
  });
});
