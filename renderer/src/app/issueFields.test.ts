import { describe, expect, it } from 'vitest';
import { issuesToFields } from './issueFields.js';

const fields = { id: 'id', title: 'title', customer: 'customer' } as const;

describe('issuesToFields', () => {
  it('puts each issue on the field its path names, first message wins', () => {
    const result = issuesToFields(
      [
        { path: 'id', message: 'Ticket ids look like TKT-48213' },
        { path: 'id', message: 'second' },
        { path: 'title', message: 'Give the ticket a title.' },
      ],
      fields,
    );
    expect(result.fields).toEqual({ id: 'Ticket ids look like TKT-48213', title: 'Give the ticket a title.' });
    expect(result.general).toEqual([]);
  });

  it('maps nested paths by their first segment', () => {
    expect(issuesToFields([{ path: 'detail.port', message: 'bad' }], { detail: 'details' }).fields).toEqual({ details: 'bad' });
  });

  it('keeps whole-input and unknown-field issues as general messages', () => {
    const result = issuesToFields([{ path: '', message: 'Nope' }, { path: 'status', message: 'Invalid' }], fields);
    expect(result.general).toEqual(['Nope', 'status: Invalid']);
  });

  it('accepts no issues', () => {
    expect(issuesToFields(undefined, fields)).toEqual({ fields: {}, general: [] });
  });
});
