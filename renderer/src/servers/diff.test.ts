import { describe, expect, it } from 'vitest';
import { foldUnchanged, lineDiff } from './diff.js';

describe('lineDiff', () => {
  it('marks lines removed and added between two outputs', () => {
    const diff = lineDiff('a\nb\nc\nd\n', 'a\nc\nd\ne\n');
    expect(diff).toEqual({
      lines: [
        { kind: 'same', text: 'a' },
        { kind: 'removed', text: 'b' },
        { kind: 'same', text: 'c' },
        { kind: 'same', text: 'd' },
        { kind: 'added', text: 'e' },
      ],
      added: 1,
      removed: 1,
    });
  });

  it('finds nothing to report in identical outputs, and everything in disjoint ones', () => {
    expect(lineDiff('x\ny', 'x\ny\n')).toMatchObject({ added: 0, removed: 0 });
    expect(lineDiff('', 'one\ntwo')).toMatchObject({ added: 2, removed: 0 });
    expect(lineDiff('p\nq', 'r')).toMatchObject({ added: 1, removed: 2 });
  });

  it('gives up past its budget, but not when only a little differs in a long output', () => {
    const long = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    expect(lineDiff(long.join('\n'), [...long.slice(0, 25_000), 'changed', ...long.slice(25_001)].join('\n'))).toMatchObject({ added: 1, removed: 1 });
    expect(lineDiff(long.join('\n'), long.map((l) => `${l}!`).join('\n'))).toBeNull();
  });
});

describe('foldUnchanged', () => {
  it('keeps context around changes and folds the rest', () => {
    const lines = lineDiff(['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n'), ['1', '2', '3', '4', 'five', '6', '7', '8', '9'].join('\n'))!.lines;
    expect(foldUnchanged(lines, 1)).toEqual([
      { kind: 'folded', count: 3 },
      { kind: 'same', text: '4' },
      { kind: 'removed', text: '5' },
      { kind: 'added', text: 'five' },
      { kind: 'same', text: '6' },
      { kind: 'folded', count: 3 },
    ]);
  });
});
