import { describe, expect, it } from 'vitest';
import { TerminalFlow, type FlowTimers } from './terminal-flow.js';

const options = { high: 1000, low: 200, unwatchedMs: 5000 };

function setup() {
  const calls: string[] = [];
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: FlowTimers = {
    setTimeout: (run) => {
      pending.set(++next, run);
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const flow = new TerminalFlow({ pause: () => calls.push('pause'), resume: () => calls.push('resume') }, options, timers);
  const fireTimers = () => {
    const due = [...pending.values()];
    pending.clear();
    due.forEach((run) => run());
  };
  return { flow, calls, pending, fireTimers };
}

describe('TerminalFlow', () => {
  it('never pauses a terminal no window has acked: nobody is known to be drawing', () => {
    const { flow, calls } = setup();
    flow.sent(50_000);
    expect(calls).toEqual([]);
    expect(flow.isPaused).toBe(false);
  });

  it('pauses once the window is more than `high` behind, and resumes only when it is within `low`', () => {
    const { flow, calls } = setup();
    flow.acked(0);
    flow.sent(1000);
    expect(calls).toEqual([]);
    flow.sent(1001);
    expect(calls).toEqual(['pause']);
    flow.sent(1500);
    expect(calls).toEqual(['pause']);
    flow.acked(1000);
    expect(calls).toEqual(['pause']);
    flow.acked(1300);
    expect(calls).toEqual(['pause', 'resume']);
    expect(flow.isPaused).toBe(false);
  });

  it('takes the fastest window and ignores an ack older than one already heard or past what was sent', () => {
    const { flow, calls } = setup();
    flow.acked(0);
    flow.sent(3000);
    expect(calls).toEqual(['pause']);
    flow.acked(2900);
    flow.acked(100);
    expect(calls).toEqual(['pause', 'resume']);
    flow.acked(1_000_000);
    flow.sent(3500);
    expect(flow.isPaused).toBe(false);
    flow.sent(3000 + 1001);
    expect(flow.isPaused).toBe(true);
  });

  it('resumes a shell whose window went quiet, and stops pausing it until a window acks again', () => {
    const { flow, calls, fireTimers } = setup();
    flow.acked(0);
    flow.sent(5000);
    expect(calls).toEqual(['pause']);
    fireTimers();
    expect(calls).toEqual(['pause', 'resume']);
    flow.sent(50_000);
    expect(calls).toEqual(['pause', 'resume']);
    flow.acked(45_000);
    flow.sent(47_000);
    expect(calls).toEqual(['pause', 'resume', 'pause']);
  });

  it('keeps waiting while acks come in, however slowly', () => {
    const { flow, calls, pending } = setup();
    flow.acked(0);
    flow.sent(5000);
    const first = [...pending.keys()];
    flow.acked(1000);
    expect([...pending.keys()]).not.toEqual(first);
    expect(pending.size).toBe(1);
    expect(calls).toEqual(['pause']);
  });

  it('a window that takes the replay is caught up, and dispose leaves no timer behind', () => {
    const { flow, calls, pending } = setup();
    flow.acked(0);
    flow.sent(5000);
    flow.caughtUp(5000);
    expect(calls).toEqual(['pause', 'resume']);
    flow.sent(7000);
    expect(pending.size).toBe(1);
    flow.dispose();
    expect(pending.size).toBe(0);
  });
});
