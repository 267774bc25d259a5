import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { armArgv, disarmArgv, expiryArgv, parseSwitchState, planDir, statusArgv } from './deadman.js';

describe('dead-man switch scripts', () => {
  it('refuses anything but a plan id as a folder name', () => {
    expect(() => planDir('../../etc')).toThrow(/Not a plan id/);
    expect(planDir('p0123456789')).toBe('/var/lib/backline/plans/p0123456789');
  });

  it('are fixed text: the plan folder and delay only ever arrive as arguments', () => {
    const argv = armArgv('p0123456789', 60);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv.slice(3)).toEqual(['backline-arm', '/var/lib/backline/plans/p0123456789', '60']);
    expect(disarmArgv('p0123456789').at(-1)).toBe('/var/lib/backline/plans/p0123456789');
    expect(statusArgv('p0123456789').at(-1)).toBe('/var/lib/backline/plans/p0123456789');
    expect(() => armArgv('p0123456789', 0)).toThrow();
  });

  it('parse as valid POSIX sh', () => {
    for (const argv of [armArgv('p0123456789', 5), disarmArgv('p0123456789'), statusArgv('p0123456789'), expiryArgv('p0123456789', 5, ['true'])]) {
      expect(() => execFileSync('sh', ['-n', '-c', argv[2]!])).not.toThrow();
    }
  });

  it('reads the switch state', () => {
    expect(parseSwitchState('##state rolled-back 1764080000\n')).toEqual({ state: 'rolled-back', at: 1764080000 });
    expect(parseSwitchState('##state disarmed\n')).toEqual({ state: 'disarmed' });
    expect(parseSwitchState('garbage')).toEqual({ state: 'unknown' });
  });
});
