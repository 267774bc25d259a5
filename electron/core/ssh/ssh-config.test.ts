import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  TEXT_ONLY,
  globMatch,
  globPaths,
  hostEntries,
  noteText,
  type ConfigReader,
  type JumpHop,
  type ResolvedHost,
  type SshEnv,
} from './ssh-config.js';
import { fileReader } from './local-ssh.js';

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
    expect(() => parseSshConfig('Host t\n  User "oops\n', { home: '/h', file: 'cfg', reader: TEXT_ONLY })).toThrow(/cfg:2: invalid quotes/);
    expect(() => parseSshConfig('Host\n', { home: '/h', reader: TEXT_ONLY })).toThrow(SshConfigError);
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
    expect(host.notes.map(noteText).some((note) => /config:\d+: Match originalhost .*not applied/.test(note))).toBe(true);
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

/**
 * A file system in memory: files by absolute path, directories derived from them; `unreadable` paths are
 * there but throw (permission denied), as the real reader does.
 */
function memoryReader(files: Record<string, string>, unreadable: string[] = []): ConfigReader {
  const all = [...Object.keys(files), ...unreadable];
  return {
    readFile: (path) => {
      if (unreadable.includes(path)) throw new Error('permission denied');
      if (all.some((f) => f.startsWith(`${path}/`))) throw new Error('it is a directory');
      return files[path];
    },
    listDir: (dir) => {
      const prefix = dir === '/' ? '/' : `${dir}/`;
      const names = new Set(all.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split('/')[0]!));
      return names.size > 0 ? [...names] : undefined;
    },
  };
}

describe('Include', () => {
  const me = { home: '/h', user: 'me' };
  const files: Record<string, string> = {
    '/h/.ssh/a.conf': 'Host t\n  Port 1111\n',
    '/etc/backline/b.conf': 'Host *\n  User from-b\nHost nomatch\n',
    '/h/.ssh/loop.conf': 'Include loop.conf\n',
  };
  const reader = memoryReader(files);
  const parse = (text: string, r: ConfigReader = reader) => parseSshConfig(text, { home: '/h', reader: r });

  it('reads relative paths from ~/.ssh and absolute ones as they are; a Host line inside does not leak out', () => {
    const config = parse('Include a.conf /etc/backline/b.conf\nHost t\n  Port 2222\n  User main\n');
    expect(resolveHost(config, 't', me)).toMatchObject({ port: 1111, user: 'from-b' });
  });

  it('notes an Include that matched nothing as ssh-does-the-same, and carries on', () => {
    const host = resolveHost(parse('Include missing.conf ~/.ssh/conf.d/*\nPort 3\n'), 'x', me);
    expect(host.port).toBe(3);
    expect(host.notes).toEqual([
      { kind: 'info', at: '~/.ssh/config:1', message: 'Include missing.conf matched no file (ssh reads nothing there either)' },
      { kind: 'info', at: '~/.ssh/config:1', message: 'Include ~/.ssh/conf.d/* matched no file (ssh reads nothing there either)' },
    ]);
  });

  it('expands globs in any component, with classes and ranges, skipping hidden names, sorted in byte order as glob(3)', () => {
    const tree = memoryReader({
      '/h/.ssh/config.d/10-acme': 'Host acme\n  User from-acme\n',
      '/h/.ssh/config.d/2-globex': 'Host acme\n  User from-globex\n',
      '/h/.ssh/config.d/Zeta': 'Host acme\n  User from-zeta\n',
      '/h/.ssh/config.d/.hidden': 'Host *\n  User hidden\n',
      '/h/.ssh/config.d/notes.txt': 'Host acme\n  Port 9\n',
      '/h/.ssh/customers/acme/config': 'Host acme\n  Port 2201\n',
      '/h/.ssh/customers/globex/config': 'Host acme\n  Port 2202\n',
      '/h/.ssh/customers/globex/other': 'Host acme\n  Port 2203\n',
    });
    expect(globPaths('/h/.ssh/config.d/*', tree)).toEqual([
      '/h/.ssh/config.d/10-acme',
      '/h/.ssh/config.d/2-globex',
      '/h/.ssh/config.d/Zeta',
      '/h/.ssh/config.d/notes.txt',
    ]);
    expect(globPaths('/h/.ssh/config.d/[0-9]*', tree)).toEqual(['/h/.ssh/config.d/10-acme', '/h/.ssh/config.d/2-globex']);
    expect(globPaths('/h/.ssh/config.d/[!0-9]*', tree)).toEqual(['/h/.ssh/config.d/Zeta', '/h/.ssh/config.d/notes.txt']);
    expect(globPaths('/h/.ssh/*/*/config', tree)).toEqual(['/h/.ssh/customers/acme/config', '/h/.ssh/customers/globex/config']);
    expect(globPaths('/h/.ssh/config.d/.*', tree)).toEqual(['/h/.ssh/config.d/.hidden']);
    // "10-acme" sorts before "2-globex" (bytes, not numbers): the first value obtained wins.
    expect(resolveHost(parse('Include config.d/[0-9]*\n', tree), 'acme', me).user).toBe('from-acme');
    expect(resolveHost(parse('Include customers/*/config\n', tree), 'acme', me).port).toBe(2201);
  });

  it('matches glob components as glob(3) does', () => {
    expect(globMatch('web1', 'web?')).toBe(true);
    expect(globMatch('.web', '*')).toBe(false);
    expect(globMatch('.web', '.w*')).toBe(true);
    expect(globMatch('a-b', '[a-]-b')).toBe(true);
    expect(globMatch(']x', '[]]x')).toBe(true);
    expect(globMatch('*', '\\*')).toBe(true);
    expect(globMatch('x', '\\*')).toBe(false);
    expect(globMatch('[', '[')).toBe(true); // an unclosed [ is itself
  });

  it('reads nested Includes, relative ones again from ~/.ssh', () => {
    const nested = memoryReader({
      '/h/.ssh/config.d/lab': 'Include lab.d/*\nHost web1\n  User root\n',
      '/h/.ssh/lab.d/hosts': 'Host web1\n  HostName 10.77.0.11\n',
    });
    expect(resolveHost(parse('Include ~/.ssh/config.d/*\n', nested), 'web1', me)).toMatchObject({ hostName: '10.77.0.11', user: 'root' });
  });

  it('applies an Include inside a Host block only for hosts of that block, and its notes only there', () => {
    const r = memoryReader({ '/h/.ssh/extra': 'Port 2200\n' }, ['/h/.ssh/secret']);
    const config = parse('Host a\n  Include extra\nHost b\n  Include secret\nHost *\n  Port 22\n', r);
    expect(resolveHost(config, 'a', me)).toMatchObject({ port: 2200, notes: [] });
    expect(resolveHost(config, 'c', me)).toMatchObject({ port: 22, notes: [] });
    expect(resolveHost(config, 'b', me).notes).toEqual([
      { kind: 'skipped', at: '~/.ssh/config:4', message: 'Include /h/.ssh/secret could not be read (permission denied); skipped, where ssh would refuse the whole config' },
    ]);
  });

  it('does not read an Include inside a Match block, and says so', () => {
    const r = memoryReader({ '/h/.ssh/vpn': 'ProxyJump vpn-gw\n' });
    const host = resolveHost(parse('Match exec "vpn-up"\n  Include vpn\n', r), 'x', me);
    expect(host.proxyJump).toBeNull();
    expect(host.notes).toEqual([{ kind: 'skipped', at: '~/.ssh/config:1', message: expect.stringMatching(/^Match exec vpn-up: Backline does not evaluate Match blocks; .*Includes too/) as unknown }]);
  });

  it('notes a directory where a file was expected, and ~user paths, and goes on', () => {
    const r = memoryReader({ '/h/.ssh/config.d/old/x': 'Port 1\n', '/h/.ssh/config.d/lab': 'Port 2\n' });
    const host = resolveHost(parse('Include config.d/* ~other/.ssh/config\n', r), 'x', me);
    expect(host.port).toBe(2);
    expect(host.notes.map(noteText)).toEqual([
      '~/.ssh/config:1: Include /h/.ssh/config.d/old could not be read (it is a directory); skipped, where ssh would refuse the whole config',
      '~/.ssh/config:1: Include ~other/.ssh/config: ~user paths are not supported; not read (write the full path)',
    ]);
  });

  it('stops an Include loop at OpenSSH depth', () => {
    expect(() => parse('Include loop.conf\n')).toThrow(/nested more than 16/);
    const chain = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`/h/.ssh/d${i}`, i < 15 ? `Include d${i + 1}\n` : 'Port 16\n']));
    expect(resolveHost(parse('Include d0\n', memoryReader(chain)), 'x', me).port).toBe(16);
  });

  it('notes Includes in a config given as text, which has no file reader', () => {
    expect(resolveHost('Include other\nPort 5\n', 'x', env).notes.map(noteText)).toEqual([
      '~/.ssh/config:1: Include /home/eng/.ssh/other could not be read (this config was given as text, without a file reader); skipped, where ssh would refuse the whole config',
    ]);
  });
});

describe('options Backline does not follow', () => {
  it('names each one that changes how ssh would connect, where it is set, for the hosts it applies to', () => {
    const text = [
      'Host legacy',
      '  KexAlgorithms +diffie-hellman-group1-sha1',
      '  IdentityAgent ~/.1password/agent.sock',
      '  PasswordAuthentication yes',
      '  PubkeyAuthentication no',
      '  StrictHostKeyChecking accept-new',
      '  UserKnownHostsFile /dev/null',
      '  IdentitiesOnly yes',
      'Host *',
      '  KexAlgorithms curve25519-sha256',
      '  IdentityAgent SSH_AUTH_SOCK',
      '  UserKnownHostsFile ~/.ssh/known_hosts ~/.ssh/known_hosts2',
      '  SendEnv LANG',
      '',
    ].join('\n');
    expect(resolveHost(text, 'legacy', env).notes.map(noteText)).toEqual([
      '~/.ssh/config:2: KexAlgorithms +diffie-hellman-group1-sha1: not followed; Backline offers its SSH library\'s own algorithm list',
      '~/.ssh/config:3: IdentityAgent ~/.1password/agent.sock: not followed; Backline uses the agent in SSH_AUTH_SOCK',
      '~/.ssh/config:5: PubkeyAuthentication no: not followed; Backline still offers keys',
      '~/.ssh/config:7: UserKnownHostsFile /dev/null: not followed; Backline reads ~/.ssh/known_hosts, known_hosts2, /etc/ssh/ssh_known_hosts and its own list',
      '~/.ssh/config:6: StrictHostKeyChecking accept-new: not followed; Backline asks before trusting a host key it has not seen',
      '~/.ssh/config:8: IdentitiesOnly yes: not followed; Backline also offers the keys in ssh-agent',
    ]);
    // Host * only sets what Backline does anyway, or what does not change connecting, apart from its KexAlgorithms.
    expect(resolveHost(text, 'other', env).notes.map(noteText)).toEqual([
      '~/.ssh/config:10: KexAlgorithms curve25519-sha256: not followed; Backline offers its SSH library\'s own algorithm list',
    ]);
  });
});

describe('hostEntries', () => {
  it('offers every Host line of literal names once, Included files too, never patterns', () => {
    const r = memoryReader({ '/h/.ssh/config.d/lab': 'Host web1 10.77.0.11\n  User root\nHost db1\nHost web1\n' });
    const config = parseSshConfig('Include config.d/*\nHost bastion\nHost *.acme !x.acme\nHost web?\nMatch all\n', { home: '/h', reader: r });
    expect(hostEntries(config)).toEqual([
      { alias: 'web1', otherNames: ['10.77.0.11'], at: '/h/.ssh/config.d/lab:1' },
      { alias: 'db1', otherNames: [], at: '/h/.ssh/config.d/lab:3' },
      { alias: 'bastion', otherNames: [], at: '~/.ssh/config:2' },
    ]);
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

describe.skipIf(!hasSsh)('Include agrees with ssh -G: globs in any component, classes, byte order, nesting, conditional', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backline-sshg-include-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tree: Record<string, string> = {
    config: `Include ${dir}/conf.d/[0-9]*\nInclude ${dir}/customers/*/config\nHost web1\n  Include ${dir}/web1.extra\nHost *\n  User fallback\n`,
    'conf.d/10-a': 'Host acme\n  User from-10\n',
    'conf.d/2-b': 'Host acme\n  User from-2\n  Port 2002\n',
    'conf.d/x-no': 'Host acme\n  Port 9\n',
    'conf.d/.5-hidden': 'Host *\n  User hidden\n',
    'customers/acme/config': `Host acme-db\n  HostName 10.0.0.5\n  Include ${dir}/nested/*.conf\n`,
    'customers/globex/config': 'Host acme-db\n  User globex\n',
    'customers/globex/unused': 'Host acme-db\n  Port 7\n',
    'nested/a.conf': 'Port 2222\nHost other\n  User nested-other\n',
    'web1.extra': 'HostName 10.77.0.11\nUser root\n',
  };
  for (const [name, text] of Object.entries(tree)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const me = userInfo();
  const realEnv: SshEnv = { home: me.homedir, user: me.username };
  const configPath = join(dir, 'config');
  const config = parseSshConfig(tree.config!, { home: realEnv.home, reader: fileReader, file: configPath });

  it.each(['acme', 'acme-db', 'web1', 'other', 'nothing'])('%s', (alias) => {
    const out = execFileSync('ssh', ['-G', '-F', configPath, alias], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const ssh = Object.fromEntries(out.split('\n').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]));
    const ours = resolveHost(config, alias, realEnv);
    expect({ hostname: ours.hostName, user: ours.user, port: String(ours.port) }).toEqual({ hostname: ssh.hostname, user: ssh.user, port: ssh.port });
  });
});
