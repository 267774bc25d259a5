import { describe, expect, it } from 'vitest';
import { bindError } from './bind-error.js';

const errno = (code: string) => Object.assign(new Error(`bind ${code}`), { code });

describe('bindError', () => {
  it('says what each bind failure means and what to do', () => {
    expect(bindError(errno('EACCES'), '0.0.0.0', 514)).toMatchObject({
      code: 'NETDUMP_RECEIVER_FAILED',
      message: 'This system does not let Backline listen on 0.0.0.0:514: ports below 1024 need administrator rights.',
      hint: "Choose a port above 1023 (netconsole's usual port is 6666).",
    });
    expect(bindError(errno('EADDRNOTAVAIL'), '2001:db8::5', 6666)).toMatchObject({ message: '2001:db8::5 is not an address of this machine, so the receiver cannot listen on it.' });
    expect(bindError(errno('EAFNOSUPPORT'), '::', 6666).message).toBe('This machine has no IPv6, so the receiver cannot listen on [::]:6666.');
    expect(bindError(errno('EADDRINUSE'), '::', 6666).hint).toContain("ss -ulpn 'sport = :6666'");
    expect(bindError(errno('EWHATEVER'), '127.0.0.1', 6666)).toMatchObject({ message: 'The receiver could not listen on 127.0.0.1:6666: bind EWHATEVER.', detail: { code: 'EWHATEVER' } });
  });
});
