import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import {
  RESAVE_SCRIPT,
  armArgv,
  cancelExpiryArgv,
  disarmArgv,
  expiryArgv,
  extendArgv,
  parseArmed,
  parseExpiryArmed,
  parseExpiryState,
  parseSwitchState,
  planDir,
  resaveArgv,
  statusArgv,
} from './deadman.js';

describe('dead-man switch scripts', () => {
  it('refuses anything but a plan id as a folder name', () => {
    expect(() => planDir('../../etc')).toThrow(/Not a plan id/);
    expect(planDir('p0123456789')).toBe('/var/lib/backline/plans/p0123456789');
  });

  it('are fixed text: the plan folder, the delays and the fixed scripts only ever arrive as arguments', () => {
    const argv = armArgv('p0123456789', 60);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv.slice(3, 7)).toEqual(['backline-arm', '/var/lib/backline/plans/p0123456789', '60', '/run/systemd/system']);
    expect(argv[2]).toBe(armArgv('p9876543210', 5)[2]);
    expect(extendArgv('p0123456789', 30).slice(3)).toEqual(['backline-extend', '/var/lib/backline/plans/p0123456789', '30']);
    expect(disarmArgv('p0123456789').at(-1)).toBe('/var/lib/backline/plans/p0123456789');
    expect(statusArgv('p0123456789').at(-1)).toBe('/var/lib/backline/plans/p0123456789');
    expect(() => armArgv('p0123456789', 0)).toThrow();
    expect(() => extendArgv('p0123456789', 1.5)).toThrow();
  });

  it('parse as valid POSIX sh', () => {
    const scripts = [armArgv('p0123456789', 5), extendArgv('p0123456789', 5), disarmArgv('p0123456789'), statusArgv('p0123456789'), expiryArgv('p0123456789', 5, ['true']), cancelExpiryArgv('p0123456789'), resaveArgv()].flatMap(
      (argv) => argv.filter((arg, i) => i === 2 || arg.includes('\n')),
    );
    for (const script of scripts) expect(() => execFileSync('sh', ['-n', '-c', script])).not.toThrow();
  });

  it('read the switch state, the expiry job and how each was started', () => {
    expect(parseSwitchState('##state rolled-back 1764080000\n')).toEqual({ state: 'rolled-back', at: 1764080000 });
    expect(parseSwitchState('##state armed 1764080060\n##expiry none\n')).toEqual({ state: 'armed', deadline: 1764080060 });
    expect(parseSwitchState('##state disarmed\n')).toEqual({ state: 'disarmed' });
    expect(parseSwitchState('garbage')).toEqual({ state: 'unknown' });
    expect(parseExpiryState('##state disarmed\n##expiry expired 1764080000\n')).toEqual({ state: 'expired', at: 1764080000 });
    expect(parseExpiryState('##expiry lost\n')).toEqual({ state: 'lost' });
    expect(parseExpiryState('')).toEqual({ state: 'none' });
    expect(parseArmed('##armed systemd-run backline-rollback-p0123456789\n')).toEqual({ timer: 'systemd-run', id: 'backline-rollback-p0123456789' });
    expect(parseArmed('##armed setsid 4242\n')).toEqual({ timer: 'setsid', id: '4242' });
    expect(parseArmed('##armed no: iptables-save failed\n')).toBeNull();
    expect(parseExpiryArmed('##expiry armed setsid 77\n')).toEqual({ timer: 'setsid', id: '77' });
  });
});

/**
 * The scripts run for real with sh, against a folder of their own and stand-ins for the tools they call
 * (iptables-save/-restore, systemd-run, systemctl), first on PATH: no root, nothing of this machine's
 * firewall touched. `systemdMarker` plays /run/systemd/system.
 */
describe('dead-man switch, run', () => {
  let home: ReturnType<typeof tempDir>;
  let bin: string;
  let dir: string;
  let marker: string;
  const log = () => (existsSync(join(home.path, 'calls')) ? readFileSync(join(home.path, 'calls'), 'utf8') : '');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  /** Runs an argv built for the server, with the plan's folder (and the systemd marker) swapped for the test's own. */
  const run = (argv: string[]) => {
    const local = argv.map((arg) => (arg === planDir('p0123456789') ? dir : arg));
    const result = spawnSync(local[0]!, local.slice(1), { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, timeout: 30_000 });
    return { status: result.status, out: result.stdout };
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitFor = async (what: () => boolean, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (what()) return true;
    return what();
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeEach(() => {
    home = tempDir('backline-deadman-');
    bin = join(home.path, 'bin');
    dir = join(home.path, 'plans', 'p0123456789');
    marker = join(home.path, 'run-systemd-system');
    mkdirSync(bin);
    const calls = join(home.path, 'calls');
    stub('iptables-save', `echo "*filter saved-v4"`);
    stub('ip6tables-save', `echo "*filter saved-v6"`);
    stub('iptables-restore', `printf 'iptables-restore %s\\n' "$(cat)" >> '${calls}'`);
    stub('ip6tables-restore', `printf 'ip6tables-restore %s\\n' "$(cat)" >> '${calls}'`);
    // Its argv, NUL-separated (the switch's script holds newlines), and a line in the log.
    stub('systemd-run', `printf '%s\\0' "$@" > '${join(home.path, 'systemd-run.argv')}'; echo "systemd-run $1 $2" >> '${calls}'`);
    stub('systemctl', `echo "systemctl $*" >> '${calls}'; exit 0`);
  });
  afterEach(async () => {
    // Whatever switch a test left running ends with its folder.
    const timer = existsSync(join(dir, 'timer')) ? readFileSync(join(dir, 'timer'), 'utf8') : '';
    const pid = /^setsid (\d+)/.exec(timer)?.[1];
    home.remove();
    if (pid) await waitFor(() => !alive(Number(pid)), 3000);
  });

  it('without systemd (systemd-run installed, but not the running init), starts a detached switch that restores the saved rules at the deadline', async () => {
    const armed = run(armArgv('p0123456789', 2, { systemdMarker: marker }));
    expect(armed.status).toBe(0);
    const how = parseArmed(armed.out);
    expect(how?.timer).toBe('setsid');
    expect(log()).not.toContain('systemd-run');
    expect(parseSwitchState(run(statusArgv('p0123456789')).out)).toMatchObject({ state: 'armed' });
    expect(await waitFor(() => existsSync(join(dir, 'rolled-back')), 6000)).toBe(true);
    expect(log()).toBe('iptables-restore *filter saved-v4\nip6tables-restore *filter saved-v6\n');
    expect(parseSwitchState(run(statusArgv('p0123456789')).out)).toMatchObject({ state: 'rolled-back' });
    // Too late to disarm or to move the deadline: both say so.
    expect(parseSwitchState(run(disarmArgv('p0123456789')).out)).toMatchObject({ state: 'rolled-back' });
    expect(parseSwitchState(run(extendArgv('p0123456789', 60)).out)).toMatchObject({ state: 'rolled-back' });
  }, 15_000);

  it("lifts again, after restoring, Backline's rules whose expiry passed while they were saved (else a rollback brings an expired block back)", async () => {
    const saved = [
      '*filter',
      ':BACKLINE-OUT - [0:0]',
      '-A OUTPUT -m comment --comment backline -j BACKLINE-OUT',
      '-A BACKLINE-OUT -d 10.0.0.1/32 -p tcp -m comment --comment "backline:TKT-1:p0000000001:exp=1000" -j REJECT --reject-with tcp-reset',
      '-A BACKLINE-OUT -d 10.0.0.2/32 -p tcp -m comment --comment "backline:TKT-1:p0000000002:exp=9999999999" -j REJECT --reject-with tcp-reset',
      '-A BACKLINE-OUT -d 10.0.0.3/32 -m comment --comment "backline:TKT-1:p0000000003" -j REJECT',
      'COMMIT',
    ].join('\n');
    writeFileSync(join(home.path, 'saved.v4'), `${saved}\n`);
    stub('iptables-save', `cat '${join(home.path, 'saved.v4')}'`);
    stub('ip6tables-save', 'exit 1');
    run(armArgv('p0123456789', 1, { systemdMarker: marker }));
    expect(await waitFor(() => existsSync(join(dir, 'rolled-back')), 6000)).toBe(true);
    expect(log()).toBe(
      `iptables-restore ${saved}\n` +
        'iptables-restore *filter\n-D BACKLINE-OUT -d 10.0.0.1/32 -p tcp -m comment --comment "backline:TKT-1:p0000000001:exp=1000" -j REJECT --reject-with tcp-reset\nCOMMIT\n',
    );
  }, 15_000);

  it('where systemd runs, starts the switch as a transient unit with systemd-run, never a process of this session', () => {
    mkdirSync(marker);
    const armed = run(armArgv('p0123456789', 60, { systemdMarker: marker }));
    expect(armed.status).toBe(0);
    expect(parseArmed(armed.out)).toEqual({ timer: 'systemd-run', id: 'backline-rollback-p0123456789' });
    const call = readFileSync(join(home.path, 'systemd-run.argv'), 'utf8').split('\0').slice(0, -1);
    expect(call.slice(0, 2)).toEqual(['--unit=backline-rollback-p0123456789', `--description=Backline: restore the firewall rules saved in ${dir} unless confirmed`]);
    expect(call.slice(2, 6)).toEqual(['--collect', '--quiet', '--', '/bin/sh']);
    // The switch runs in the unit: the same fixed script as without systemd, the folder as its argument.
    expect(call.slice(6)).toEqual(['-c', armArgv('p0123456789', 60).at(-1), 'backline-deadman', dir]);
    expect(readFileSync(join(dir, 'timer'), 'utf8')).toBe('systemd-run backline-rollback-p0123456789\n');
    // The unit is asked about by name.
    expect(parseSwitchState(run(statusArgv('p0123456789')).out)).toMatchObject({ state: 'armed' });
    expect(log()).toContain('systemctl is-active --quiet backline-rollback-p0123456789');
  });

  it('where systemd runs but systemd-run fails, arms nothing and says why (no silent fallback to a session process)', () => {
    mkdirSync(marker);
    stub('systemd-run', 'echo "Failed to connect to bus: No such file or directory" >&2; exit 1');
    const armed = run(armArgv('p0123456789', 60, { systemdMarker: marker }));
    expect(armed.status).toBe(3);
    expect(armed.out).toContain('##armed no: systemd-run failed: Failed to connect to bus');
    expect(parseArmed(armed.out)).toBeNull();
    expect(existsSync(join(dir, 'deadline'))).toBe(false);
  });

  it('moves its deadline while Backline works, so the confirmation window starts when the engineer is asked; disarmed, it ends without restoring', async () => {
    const armed = parseArmed(run(armArgv('p0123456789', 2, { systemdMarker: marker })).out);
    const extended = parseSwitchState(run(extendArgv('p0123456789', 60)).out);
    expect(extended).toMatchObject({ state: 'armed' });
    expect(extended.state === 'armed' && extended.deadline).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 58);
    await sleep(3500); // past the first deadline
    expect(existsSync(join(dir, 'rolled-back'))).toBe(false);
    expect(parseSwitchState(run(disarmArgv('p0123456789')).out)).toEqual({ state: 'disarmed' });
    expect(await waitFor(() => !alive(Number(armed?.id)), 3000)).toBe(true);
    expect(log()).toBe('');
    expect(parseSwitchState(run(extendArgv('p0123456789', 60)).out)).toEqual({ state: 'disarmed' });
  }, 15_000);

  it('says unknown when the switch is gone: nothing would restore the rules', async () => {
    const armed = parseArmed(run(armArgv('p0123456789', 60, { systemdMarker: marker })).out);
    process.kill(Number(armed?.id), 'SIGKILL');
    await waitFor(() => !alive(Number(armed?.id)), 3000);
    expect(parseSwitchState(run(extendArgv('p0123456789', 60)).out)).toEqual({ state: 'unknown' });
    expect(parseSwitchState(run(statusArgv('p0123456789')).out)).toEqual({ state: 'unknown' });
  });

  it('lifts a block at its expiry with a detached job, or a transient systemd timer where systemd runs; a cancelled job never runs', async () => {
    const ran = join(home.path, 'ran');
    const armed = run(expiryArgv('p0123456789', 1, [`echo lifted > '${ran}'`], { systemdMarker: marker }));
    expect(parseExpiryArmed(armed.out)?.timer).toBe('setsid');
    expect(parseExpiryState(run(statusArgv('p0123456789')).out)).toEqual({ state: 'pending' });
    expect(await waitFor(() => existsSync(join(dir, 'expired')), 5000)).toBe(true);
    expect(readFileSync(ran, 'utf8')).toBe('lifted\n');
    expect(parseExpiryState(run(statusArgv('p0123456789')).out)).toMatchObject({ state: 'expired' });

    const never = join(home.path, 'never');
    run(expiryArgv('p0123456789', 2, [`echo ran > '${never}'`], { systemdMarker: marker }));
    run(cancelExpiryArgv('p0123456789'));
    await sleep(3000);
    expect(existsSync(never)).toBe(false);

    mkdirSync(marker);
    const timer = run(expiryArgv('p0123456789', 600, ['true'], { systemdMarker: marker }));
    expect(parseExpiryArmed(timer.out)).toEqual({ timer: 'systemd-run', id: 'backline-expiry-p0123456789' });
    expect(log()).toContain('systemd-run --unit=backline-expiry-p0123456789 --on-active=600');
    expect(readFileSync(join(home.path, 'systemd-run.argv'), 'utf8').split('\0')).toContain('--timer-property=AccuracySec=1s');
    run(cancelExpiryArgv('p0123456789'));
    expect(log()).toContain('systemctl stop backline-expiry-p0123456789.timer');
  }, 20_000);

  it('re-saves the rules for reboot only where Backline rules are among the saved ones', () => {
    // The script reads /etc/iptables itself; here it is checked on text, as sh -n above checks its syntax.
    expect(RESAVE_SCRIPT).toContain("grep -q -e '^-A BACKLINE-OUT '");
    expect(RESAVE_SCRIPT).toContain('netfilter-persistent save');
  });
});
