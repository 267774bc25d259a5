import { describe, expect, it } from 'vitest';
import { emptyFindingForm, formatDetailValue, toFindingInput } from './findingForm.js';

describe('toFindingInput', () => {
  it('keeps filled rows, drops blank ones, and keeps values as typed', () => {
    const input = toFindingInput('TKT-1', {
      ...emptyFindingForm(),
      severity: 'high',
      title: 'Bad web head',
      detail: [
        { key: ' host ', value: 'web3.example' },
        { key: '', value: '' },
        { key: 'mode', value: '0755' },
      ],
      evidence: [
        { label: 'curl', content: 'HTTP/1.1 400' },
        { label: '', content: '' },
      ],
    });
    expect(input).toEqual({
      ticketId: 'TKT-1',
      kind: 'observation',
      severity: 'high',
      title: 'Bad web head',
      detail: { host: 'web3.example', mode: '0755' },
      evidence: [{ label: 'curl', content: 'HTTP/1.1 400' }],
    });
  });

  it('keeps half-filled rows so the server can say what is missing', () => {
    const input = toFindingInput('TKT-1', { ...emptyFindingForm(), evidence: [{ label: '', content: 'log line' }] });
    expect(input.evidence).toEqual([{ label: '', content: 'log line' }]);
  });
});

describe('formatDetailValue', () => {
  it('shows null as a dash and everything else as text', () => {
    expect(formatDetailValue(null)).toBe('—');
    expect(formatDetailValue(false)).toBe('false');
    expect(formatDetailValue(42)).toBe('42');
  });
});
