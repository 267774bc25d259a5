import { describe, expect, it } from 'vitest';
import { atDraft, historyStep, mergeHistory, type HistoryCursor } from './commandHistory.js';

const entries = ['free -m', 'uptime', 'df -h'];

function walk(keys: ('up' | 'down')[], typed = 'ps') {
  let cursor: HistoryCursor = atDraft;
  let text = typed;
  const seen: string[] = [];
  for (const key of keys) {
    const step = historyStep(entries, cursor, text, key);
    if (step) ({ cursor, text } = step);
    seen.push(text);
  }
  return seen;
}

describe('command history', () => {
  it('walks back newest first and stops at the oldest', () => {
    expect(walk(['up', 'up', 'up', 'up'])).toEqual(['free -m', 'uptime', 'df -h', 'df -h']);
  });

  it('walks forward and returns to what was being typed', () => {
    expect(walk(['up', 'up', 'down', 'down', 'down'], 'ps au')).toEqual(['free -m', 'uptime', 'free -m', 'ps au', 'ps au']);
  });

  it('skips the command still shown after running it', () => {
    expect(walk(['up'], 'free -m')).toEqual(['uptime']);
  });

  it('does nothing without history', () => {
    expect(historyStep([], atDraft, 'x', 'up')).toBeNull();
    expect(historyStep(entries, atDraft, 'x', 'down')).toBeNull();
  });

  it('puts this window’s commands first, each once', () => {
    expect(mergeHistory(['uptime', 'id'], ['free -m', 'uptime'])).toEqual(['uptime', 'id', 'free -m']);
  });
});
