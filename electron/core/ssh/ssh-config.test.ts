import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  matchPattern,
  matchPatternList,
  parseProxyJump,
  parseSshConfig,
  resolveChain,
  resolveHost,
  SshConfigError,
  type ConfigReader,
  type JumpHop,
  type ResolvedHost,
  type SshEnv,
} from './ssh-config.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'ssh');
const env: SshEnv = { home: '/home/eng', user: 'localme' };

/** Maps /home/eng/.ssh/... onto the fixture directory, like the real edge maps it onto the disk. */
const fixtureReader: ConfigReader = {
  readFile: (path) => {
    const local = path.replace('/home/eng/.ssh', FIXTURES);
    return existsSync(local) ? readFileSync(local, 'utf8') : undefined;
  },
  listDir: (dir) => {
    const local = dir.replace('/home/eng/.ssh', FIXTURES);
    return existsSync(local) ? readdirSync(local) : undefined;
  },
};

const fixture = parseSshConfig(readFileSync(join(FIXTURES, 'config'), 'utf8'), { home: env.home, reader: fixtureReader });
const resolve = (alias: string) => resolveHost(fixture, alias, env);

function hopText(hop: JumpHop): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user !== undefined ? `${hop.user}@` : ''}${host}${hop.port !== undefined ? `:${hop.port}` : ''}`;
}

describe('patterns', () => {
  it.each([
    ['web1', 'web?', true],
    ['web12', 'web?', false],
    ['a.b.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['anything', '*', true],
    ['', '*', true],
    ['abc', 'a*c', true],
    ['abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbd', 'a*b*b*b*b*b*b*b*c', false],
    ['Web1', 'web1', false],
  ])('%j against %j is %j', (text, pattern, expected) => {
    expect(matchPattern(text, pattern)).toBe(expected);
  });

  it('lets a negated pattern veto the whole list', () => {
    expect(matchPatternList('web.example.com', ['*.example.com', '!bastion.example.com'])).toBe(true);
    expect(matchPatternList('bastion.example.com', ['*.example.com', '!bastion.example.com'])).toBe(false);
    expect(matchPatternList('bastion.example.com', ['!bastion.example.com', '*'])).toBe(false);
    expect(matchPatternList('x', ['!y'])).toBe(false); // only negations never match
  });
});

describe('parsing', () => {
  it('accepts Key value, Key=value, Key = value, case-insensitive keywords, quotes and comments', () => {
    const text = [
      '# comment',
      'HOST=t',
      '\tpOrT = 2200',
      '  user "first last"',
      "  HostName 'real.example'  # trailing comment",
      '  IdentityFile "/keys/with space/id" ',
      '  IdentityFile /keys/a\\ b',
      '  User ignored#not-a-comment',
      '',
    ].join('\r\n');
    const host = resolveHost(text, 't', env);
    expect(host).toMatchObject({ hostName: 'real.example', port: 2200, user: 'first last' });
    expect(host.identityFiles).toEqual(['/keys/with space/id', '/keys/a b']);
  });

  it('rejects unterminated quotes and an empty Host with the file and line', () => {
    expect(() => parseSshConfig('Host t\n  User "oops\n', { home: '/h', file: 'cfg' })).toThrow(/cfg:2: invalid quotes/);
    expect(() => parseSshConfig('Host\n', { home: '/h' })).toThrow(SshConfigError);
  });

  it('reports invalid values of the options it applies', () => {
    expect(() => resolveHost('Host t\n Port 0\n', 't', env)).toThrow(/bad port/);
    expect(() => resolveHost('Host t\n Port 22x\n', 't', env)).toThrow(/bad port/);
    expect(() => resolveHost('Host t\n User a b\n', 't', env)).toThrow(/extra arguments/);
    expect(() => resolveHost('Host t\n ProxyJump a, b\n', 't', env)).toThrow(/:2: proxyjump: extra arguments/);
    expect(() => resolveHost('Host t\n ProxyJump a,,b\n', 't', env)).toThrow(/:2: .*invalid ProxyJump hop/);
    expect(() => resolveHost('Host t\n IdentitiesOnly maybe\n', 't', env)).toThrow(/yes or no/);
  });

  it('ignores options it does not use and does not validate lines in blocks that do not apply', () => {
    expect(resolveHost('Host other\n Port nonsense\nHost t\n Ciphers +aes\n Port 7\n', 't', env).port).toBe(7);
  });
});

describe('resolveHost on a realistic config', () => {
  it('applies defaults when nothing matches but Host *', () => {
    expect(resolve('random.example')).toMatchObject({
      alias: 'random.example',
      hostName: 'random.example',
      user: 'eng',
      port: 22,
      proxyJump: null,
      serverAliveInterval: 30,
      connectTimeout: 10,
      identityFiles: ['/home/eng/.ssh/id_ed25519', '/home/eng/.ssh/id_eng@random.example'],
      identityFilesAreDefaults: false,
      userKnownHostsFiles: ['/home/eng/.ssh/known_hosts', '/home/eng/.ssh/known_hosts.backline'],
    });
  });

  it('uses the local user, port 22 and ssh default keys with an empty config', () => {
    const host = resolveHost('', 'Some.Host', env);
    expect(host).toMatchObject({ hostName: 'some.host', user: 'localme', port: 22, identityFilesAreDefaults: true, proxyJump: null });
    expect(host.identityFiles).toContain('/home/eng/.ssh/id_ed25519');
    expect(host.serverAliveInterval).toBeUndefined();
  });

  it('resolves the bastion from its own block, accumulating IdentityFiles in order', () => {
    expect(resolve('bastion.acme.example')).toMatchObject({
      hostName: '198.51.100.7',
      user: 'jump',
      port: 2022,
      identitiesOnly: true,
      proxyJump: null,
      identityFiles: ['/home/eng/.ssh/acme_bastion_ed25519', '/home/eng/.ssh/id_ed25519', '/home/eng/.ssh/id_jump@198.51.100.7'],
    });
  });

  it('keeps the first obtained value: support (from *.acme.example) beats deploy (web?) and eng (Host *)', () => {
    expect(resolve('web1.acme.example')).toMatchObject({
      user: 'support',
      forwardAgent: true,
      proxyJump: [{ host: 'bastion.acme.example' }],
    });
  });

  it('honours Key=value, a quoted IdentityFile path with spaces and accept-new', () => {
    const legacy = resolve('legacy');
    expect(legacy).toMatchObject({ hostName: 'legacy.acme.example', port: 2222, strictHostKeyChecking: 'accept-new' });
    expect(legacy.identityFiles[0]).toBe('/home/eng/.ssh/keys/Acme Legacy/id_rsa');
  });

  it('parses IPv6 host names and bracketed IPv6 jump hosts', () => {
    expect(resolve('v6box')).toMatchObject({ hostName: '2001:db8::20', proxyJump: [{ host: '2001:db8::1', port: 2222 }] });
  });

  it('parses ssh:// jump hosts', () => {
    expect(resolve('uri-hop').proxyJump).toEqual([{ user: 'ops', host: 'jump.globex.example', port: 2201 }]);
  });

  it('never applies a Match block, and says so', () => {
    const host = resolve('app.globex.example');
    expect(host.user).toBe('globex-support');
    expect(host.proxyJump).toBeNull();
    expect(host.notes.some((note) => /config:\d+: Match originalhost .*not applied/.test(note))).toBe(true);
  });

  it('lets a ProxyCommand that comes first win over ProxyJump', () => {
    expect(resolve('tunnelled')).toMatchObject({ proxyJump: null, proxyCommand: 'ssh -W %h:%p jump.globex.example' });
  });

  it('reads Include config.d/* relative to ~/.ssh, in lexical order, skipping hidden files', () => {
    expect(resolve('legacy-db')).toMatchObject({ hostName: '192.0.2.44', user: 'postgres', proxyJump: [{ host: 'legacy' }] });
    expect(resolve('random.example').user).toBe('eng'); // not the hidden .old-globex file's user
  });

  it('applies an Include inside a Host block only to that block, then restores it', () => {
    expect(resolve('globex-app')).toMatchObject({ hostName: 'globex-app.globex.example', port: 2200, connectTimeout: 3 });
    expect(resolve('other-app').port).toBe(22);
  });
});

describe('Include', () => {
  const files: Record<string, string> = {
    '/h/.ssh/a.conf': 'Host t\n  Port 1111\n',
    '/etc/backline/b.conf': 'Host *\n  User from-b\nHost nomatch\n',
    '/h/.ssh/loop.conf': 'Include loop.conf\n',
  };
  const reader: ConfigReader = { readFile: (path) => files[path] };

  it('reads relative paths from ~/.ssh and absolute ones as they are; a Host line inside does not leak out', () => {
    const config = parseSshConfig('Include a.conf /etc/backline/b.conf\nHost t\n  Port 2222\n  User main\n', { home: '/h', reader });
    expect(resolveHost(config, 't', { home: '/h', user: 'me' })).toMatchObject({ port: 1111, user: 'from-b' });
  });

  it('notes a missing file and a wildcard it cannot list, and carries on', () => {
    const config = parseSshConfig('Include missing.conf ~/.ssh/conf.d/*\nPort 3\n', { home: '/h', reader });
    const host = resolveHost(config, 'x', { home: '/h', user: 'me' });
    expect(host.port).toBe(3);
    expect(host.notes).toEqual([
      expect.stringMatching(/Include \/h\/\.ssh\/missing\.conf not found/),
      expect.stringMatching(/cannot list \/h\/\.ssh\/conf\.d/),
    ]);
  });

  it('stops an Include loop at OpenSSH depth', () => {
    expect(() => parseSshConfig('Include loop.conf\n', { home: '/h', reader })).toThrow(/nested more than 16/);
  });

  it('notes Includes when given plain text without a reader', () => {
    expect(resolveHost('Include other\nPort 5\n', 'x', env).notes[0]).toMatch(/not read \(no file reader given\)/);
  });
});

describe('tokens', () => {
  it('expands %h %u %r %p %d %n %k %% and ~ in IdentityFile and UserKnownHostsFile', () => {
    const host = resolveHost(
      'Host t\n HostName Real.Example\n User bob\n Port 2200\n HostKeyAlias key-t\n IdentityFile ~/k/%h_%u_%r_%p_%n_%k_%%\n IdentityFile %d/x\n UserKnownHostsFile ~/kh/%h\n',
      't',
      env,
    );
    expect(host.identityFiles).toEqual(['/home/eng/k/real.example_localme_bob_2200_t_key-t_%', '/home/eng/x']);
    expect(host.userKnownHostsFiles).toEqual(['/home/eng/kh/real.example']);
    expect(host.hostKeyAlias).toBe('key-t');
  });

  it('expands %h and %% in HostName and lower-cases the result (not IPv6)', () => {
    expect(resolveHost('Host *\n HostName %h.Corp.%%\n', 'Web', env).hostName).toBe('web.corp.%');
    expect(resolveHost('Host t\n HostName 2001:DB8::1\n', 't', env).hostName).toBe('2001:DB8::1');
  });

  it('expands %l %L %i when the environment provides them, and refuses unknown tokens', () => {
    const withLocal = { ...env, uid: 1000, localHostname: 'laptop.corp' };
    expect(resolveHost('IdentityFile /k/%l-%L-%i\n', 'x', withLocal).identityFiles).toEqual(['/k/laptop.corp-laptop-1000']);
    expect(() => resolveHost('IdentityFile /k/%l\n', 'x', env)).toThrow(/%l is not supported/);
    expect(() => resolveHost('IdentityFile /k/%Z\n', 'x', env)).toThrow(/:1: IdentityFile: the token %Z/);
    expect(() => resolveHost('IdentityFile ~root/k\n', 'x', env)).toThrow(/~user/);
  });

  it('expands tokens in ProxyJump hops', () => {
    expect(resolveHost('Host *.corp\n ProxyJump %r@gw-%h\n User ann\n', 'db.corp', env).proxyJump).toEqual([{ user: 'ann', host: 'gw-db.corp' }]);
  });

  it('rejects a host name a shell could misread', () => {
    expect(() => resolveHost('Host t\n HostName $(reboot)\n', 't', env)).toThrow(/invalid characters/);
    expect(() => resolveHost('', '-oProxyCommand=x', env)).toThrow(/invalid characters/);
  });
});

describe('ProxyJump parsing', () => {
  it.each<[string, JumpHop[] | null]>([
    ['none', null],
    ['NONE', null],
    ['bastion', [{ host: 'bastion' }]],
    ['u@bastion:2222', [{ user: 'u', host: 'bastion', port: 2222 }]],
    ['a,b@c,d:3', [{ host: 'a' }, { user: 'b', host: 'c' }, { host: 'd', port: 3 }]],
    ['[2001:db8::1]:2222', [{ host: '2001:db8::1', port: 2222 }]],
    ['u@[fe80::1]', [{ user: 'u', host: 'fe80::1' }]],
    ['ssh://u@h:22', [{ user: 'u', host: 'h', port: 22 }]],
    ['ssh://h/', [{ host: 'h' }]],
    ['ssh://u%40corp@[2001:db8::2]:2200', [{ user: 'u@corp', host: '2001:db8::2', port: 2200 }]],
    ['u@v@h', [{ user: 'u@v', host: 'h' }]],
  ])('%j', (value, hops) => {
    expect(parseProxyJump(value)).toEqual(hops);
  });

  it.each(['', 'a,,b', 'a, b', '2001:db8::1', 'h:0', 'h:70000', 'h:x', '@h', '[::1', 'ssh://h/path', 'ssh://u;fp=x@h'])('rejects %j', (value) => {
    expect(() => parseProxyJump(value)).toThrow(/invalid ProxyJump/);
  });

  it('follows ProxyJump/ProxyCommand precedence: first wins, and `ProxyJump none` still allows a later ProxyCommand', () => {
    expect(resolveHost('ProxyJump a\nProxyCommand nc %h %p\n', 'x', env)).toMatchObject({ proxyJump: [{ host: 'a' }] });
    expect(resolveHost('ProxyJump a\nProxyCommand nc %h %p\n', 'x', env).proxyCommand).toBeUndefined();
    expect(resolveHost('ProxyCommand none\nProxyJump a\n', 'x', env)).toMatchObject({ proxyJump: null });
    expect(resolveHost('Host x\n ProxyJump none\nHost *\n ProxyJump a\n', 'x', env)).toMatchObject({ proxyJump: null });
    expect(resolveHost('ProxyJump none\nProxyCommand nc %h %p\n', 'x', env)).toMatchObject({ proxyJump: null, proxyCommand: 'nc %h %p' });
  });
});

describe('resolveChain', () => {
  const summary = (chain: ResolvedHost[]) => chain.map((h) => `${h.user}@${h.hostName}:${h.port}`);

  it('puts the bastion, resolved through its own block, in front of the target', () => {
    expect(summary(resolveChain(fixture, 'web1.acme.example', env))).toEqual(['jump@198.51.100.7:2022', 'support@web1.acme.example:22']);
  });

  it('resolves a two-hop chain; hop user/port override the hop config, its own ProxyJump is ignored', () => {
    const chain = resolveChain(fixture, 'db-internal', env);
    expect(summary(chain)).toEqual(['jump@198.51.100.7:2022', 'ops@jump2.acme.example:2200', 'eng@10.20.0.15:22']);
    expect(chain[1]?.proxyJump).toEqual([{ host: 'bastion.acme.example' }]); // as `-J` gives it, not from config
    expect(chain[1]?.identityFiles).toContain('/home/eng/.ssh/id_ops@jump2.acme.example');
  });

  it('recurses when the first hop has its own ProxyJump', () => {
    expect(summary(resolveChain(fixture, 'legacy-db', env))).toEqual(['eng@legacy.acme.example:2222', 'postgres@192.0.2.44:22']);
    const nested = 'Host target\n ProxyJump mid\nHost mid\n ProxyJump outer\nHost outer\n HostName 203.0.113.1\n';
    expect(resolveChain(nested, 'target', env).map((h) => h.alias)).toEqual(['outer', 'mid', 'target']);
  });

  it('returns just the target for a direct host', () => {
    expect(resolveChain(fixture, 'bastion.acme.example', env).map((h) => h.alias)).toEqual(['bastion.acme.example']);
  });

  it('names the loop when two hosts jump through each other', () => {
    expect(() => resolveChain(fixture, 'loop-a', env)).toThrow(/ProxyJump loop: loop-a → loop-b → loop-a/);
  });

  it('catches the classic mistake of a wildcard that also matches the bastion', () => {
    const text = 'Host *.internal\n  ProxyJump bastion.internal\n';
    const error = captureError(() => resolveChain(text, 'db.internal', env));
    expect(error).toBeInstanceOf(SshConfigError);
    expect(error).toMatchObject({ code: 'PROXY_JUMP_LOOP' });
    expect(error.message).toMatch(/db\.internal → bastion\.internal → bastion\.internal/);
    expect(error.message).toMatch(/!bastion/);
  });

  it('refuses a host that jumps through itself, as ssh does', () => {
    expect(() => resolveChain('Host t\n HostName real\n ProxyJump real\n', 't', env)).toThrow(/jumps through itself/);
    expect(() => resolveChain('Host t\n ProxyJump u@t:2222\n', 't', env)).toThrow(/loop: t → u@t:2222 → u@t:2222/);
  });

  it('limits the chain length', () => {
    const hops = Array.from({ length: 12 }, (_, i) => `h${i}`).join(',');
    expect(() => resolveChain(`Host t\n ProxyJump ${hops}\n`, 't', env)).toThrow(/limit is 9/);
    const deep = Array.from({ length: 12 }, (_, i) => `Host d${i}\n ProxyJump d${i + 1}\n`).join('');
    expect(() => resolveChain(deep, 'd0', env)).toThrow(/deeper than 10/);
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/**
 * The reference: OpenSSH's own resolver (`ssh -G` prints the configuration for a host and exits; it
 * connects nowhere). Match exec in the fixture runs `test -e` on a path that does not exist.
 */
const hasSsh = (() => {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasSsh)('agreement with ssh -G', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backline-sshg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURES, dir, { recursive: true });
  // ssh resolves relative Includes against the real ~/.ssh, so point them at the copy.
  const configPath = join(dir, 'config');
  writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('Include config.d/*', `Include ${dir}/config.d/*`));
  const globex = join(dir, 'config.d', '20-globex');
  writeFileSync(globex, readFileSync(globex, 'utf8').replace('Include globex-extra.conf', `Include ${dir}/globex-extra.conf`));
  const me = userInfo();
  const realEnv: SshEnv = { home: me.homedir, user: me.username };
  const realReader: ConfigReader = {
    readFile: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
    listDir: (path) => (existsSync(path) ? readdirSync(path) : undefined),
  };
  const config = parseSshConfig(readFileSync(configPath, 'utf8'), { home: realEnv.home, reader: realReader, file: configPath });

  const aliases = [
    'bastion.acme.example', 'web1.acme.example', 'web2.acme.example', 'jump2.acme.example', 'db-internal', 'legacy',
    'legacy-db', 'v6box', 'uri-hop', 'app.globex.example', 'tunnelled', 'loop-a', 'globex-app', 'random.example', 'UPPER.Example',
  ];

  it.each(aliases)('%s', (alias) => {
    const out = execFileSync('ssh', ['-G', '-F', configPath, alias], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ssh = new Map<string, string[]>();
    for (const line of out.split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) ssh.set(line.slice(0, space), [...(ssh.get(line.slice(0, space)) ?? []), line.slice(space + 1)]);
    }
    const ours = resolveHost(config, alias, realEnv);
    const sshIdentityFiles = (ssh.get('identityfile') ?? []).map((path) =>
      path.replace(/^~/, realEnv.home).replaceAll('%r', ours.user).replaceAll('%h', ours.hostName),
    );
    expect({
      hostname: ours.hostName,
      user: ours.user,
      port: String(ours.port),
      proxyjump: ours.proxyJump?.map(hopText).join(','),
      proxycommand: ours.proxyCommand,
      identitiesonly: ours.identitiesOnly ? 'yes' : 'no',
      forwardagent: ours.forwardAgent === true ? 'yes' : 'no',
      stricthostkeychecking: ours.strictHostKeyChecking ?? 'ask',
      serveraliveinterval: String(ours.serverAliveInterval ?? 0),
      connecttimeout: String(ours.connectTimeout ?? 'none'),
      userknownhostsfile: ours.userKnownHostsFiles?.join(' '),
      identityfile: ours.identityFiles,
    }).toEqual({
      hostname: ssh.get('hostname')?.[0],
      user: ssh.get('user')?.[0],
      port: ssh.get('port')?.[0],
      proxyjump: ssh.get('proxyjump')?.[0],
      proxycommand: ssh.get('proxycommand')?.[0],
      identitiesonly: ssh.get('identitiesonly')?.[0],
      forwardagent: ssh.get('forwardagent')?.[0],
      stricthostkeychecking: ssh.get('stricthostkeychecking')?.[0],
      serveraliveinterval: ssh.get('serveraliveinterval')?.[0],
      connecttimeout: ssh.get('connecttimeout')?.[0],
      userknownhostsfile: ssh.get('userknownhostsfile')?.[0],
      identityfile: sshIdentityFiles,
    });
  });
});
