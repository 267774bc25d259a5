import { describe, expect, it } from 'vitest';
import { probe } from '../../../shared/domain/php-findings.fixtures.js';
import { BlockHandoff, prefillPicks, prefillResolved, prefillValues } from './blockHandoff.js';
import { headAnswersByAddress } from './headAnswers.js';

const resolved = [
  { address: '10.77.0.41', family: 'ipv4' as const },
  { address: '10.77.0.43', family: 'ipv4' as const },
];
const request = { ticketId: 'TKT-1', serverId: 3, host: 'feeds.lab.test', address: '10.77.0.43', addresses: resolved, alsoMarked: [], port: 80, reason: '400' };

describe('BlockHandoff', () => {
  it('keeps a request for its ticket until that ticket takes it, once', () => {
    const handoff = new BlockHandoff();
    let told = 0;
    handoff.subscribe(() => told++);
    const asked = handoff.request(request);
    expect(told).toBe(1);
    expect(handoff.take('TKT-2')).toBeNull();
    expect(handoff.take('TKT-1')).toEqual(asked);
    expect(handoff.take('TKT-1')).toBeNull();
    expect(handoff.request(request).seq).toBe(asked.seq + 1);
  });
});

describe('the prefilled block form', () => {
  it("fills the host, the URL port and tcp, lists the addresses the probe resolved, and picks the head if it is one of them", () => {
    const prefill = { ...request, seq: 1 };
    expect(prefillValues(prefill)).toMatchObject({ target: 'feeds.lab.test', port: 80, protocol: 'tcp', persist: false });
    expect(prefillValues(null)).toMatchObject({ target: '', port: '' });
    expect(prefillResolved(prefill)).toEqual({ target: 'feeds.lab.test', addresses: resolved });
    expect(prefillResolved({ ...prefill, addresses: [] })).toBeNull();
    expect(prefillResolved(null)).toBeNull();
    expect(prefillPicks(prefill, resolved)).toEqual(['10.77.0.43']);
    expect(prefillPicks(prefill, resolved.slice(0, 1))).toEqual([]);
  });

  it("picks the head's other addresses that answered the same bad way, so the block leaves it no way round", () => {
    const dual = [...resolved, { address: 'fd77::41', family: 'ipv6' as const }, { address: 'fd77::43', family: 'ipv6' as const }];
    expect(prefillPicks({ address: '10.77.0.43', alsoMarked: ['fd77::43'] }, dual)).toEqual(['10.77.0.43', 'fd77::43']);
    // An address the server no longer resolves the host to is not picked.
    expect(prefillPicks({ address: '10.77.0.43', alsoMarked: ['fd77::99'] }, dual)).toEqual(['10.77.0.43']);
  });
});

describe('headAnswersByAddress', () => {
  it("shows each head's answer by its canonical address, the bad one marked", () => {
    const answers = headAnswersByAddress(probe);
    expect(answers.get('10.77.0.41')).toEqual({ answer: '200, 24 bytes, 12 ms', marked: false, reasons: '' });
    expect(answers.get('10.77.0.43')).toMatchObject({ marked: true, answer: '400, over 8 MiB (the cap cut it; Content-Length 64 MiB), 900 ms' });
    expect(headAnswersByAddress(null).size).toBe(0);
  });
});
