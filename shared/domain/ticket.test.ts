import { describe, expect, it } from 'vitest';
import { ticketIdSchema } from './ticket.js';

describe('ticketIdSchema', () => {
  it("takes RT's plain ticket numbers", () => {
    expect(ticketIdSchema.parse('48213')).toBe('48213');
    expect(ticketIdSchema.parse(' 7 ')).toBe('7');
  });

  it('keeps taking the TKT-48213 ids of existing workspaces', () => {
    expect(ticketIdSchema.parse('tkt-48213')).toBe('TKT-48213');
  });

  it('refuses anything else, saying what to type', () => {
    for (const bad of ['', '48213x', '#48213', 'ticket 5', '-5', '12345678901']) {
      const parsed = ticketIdSchema.safeParse(bad);
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/RT numbers like 48213/);
    }
  });
});
