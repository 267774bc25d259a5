import { describe, expect, it } from 'vitest';
import { splitSections } from './script-sections.js';

describe('splitSections', () => {
  it('cuts a probe script’s output at its ##bl: headers, a step’s status kept beside its section', () => {
    const output = ['Welcome to web1', '', '##bl:version', 'iptables v1.8.9 (nf_tables)', '##bl:save', '*filter', 'COMMIT', '##bl:status 0', '##bl:empty', ''].join('\r\n');
    const sections = splitSections(output);
    expect([...sections.keys()]).toEqual(['before', 'version', 'save', 'save:status', 'empty']);
    expect(sections.get('before')).toEqual(['Welcome to web1']);
    expect(sections.get('version')).toEqual(['iptables v1.8.9 (nf_tables)']);
    expect(sections.get('save')).toEqual(['*filter', 'COMMIT']);
    expect(sections.get('save:status')).toEqual(['0']);
    expect(sections.get('empty')).toEqual(['']);
  });

  it('has no sections for output without headers, and keeps what there was as before', () => {
    expect(splitSections('')).toEqual(new Map());
    expect(splitSections('sh: 1: ip: not found\n')).toEqual(new Map([['before', ['sh: 1: ip: not found']]]));
  });
});
