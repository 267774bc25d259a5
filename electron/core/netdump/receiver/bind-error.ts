import { hostPort } from '../../../../shared/domain/address.js';
import { BacklineError } from '../../../../shared/errors.js';

/** A socket's bind failure, said for people: what is wrong and what to do about it. Pure. */
export function bindError(error: NodeJS.ErrnoException, address: string, port: number): BacklineError {
  const where = hostPort(address, port);
  const code = error.code ?? 'UNKNOWN';
  const detail = { code, address, port };
  switch (code) {
    case 'EADDRINUSE':
      return new BacklineError('NETDUMP_RECEIVER_FAILED', `UDP port ${port} on ${address} is already in use by another program, so the receiver cannot listen on ${where}.`, {
        hint: `Stop the other listener (another netconsole receiver, nc -u, socat, rsyslog: \`ss -ulpn 'sport = :${port}'\` names it) or choose another port and point the servers at it.`,
        detail,
      });
    case 'EACCES':
    case 'EPERM':
      return new BacklineError('NETDUMP_RECEIVER_FAILED', `This system does not let Backline listen on ${where}${port < 1024 ? ': ports below 1024 need administrator rights' : ''}.`, {
        hint: port < 1024 ? `Choose a port above 1023 (netconsole's usual port is 6666).` : 'Check the firewall or security policy of this machine, or choose another port.',
        detail,
      });
    case 'EADDRNOTAVAIL':
      return new BacklineError('NETDUMP_RECEIVER_FAILED', `${address} is not an address of this machine, so the receiver cannot listen on it.`, {
        hint: 'Choose one of this machine\'s addresses (`ip addr` lists them), or 0.0.0.0 (every IPv4 address) or :: (every IPv4 and IPv6 address).',
        detail,
      });
    case 'EAFNOSUPPORT':
    case 'EPROTONOSUPPORT':
      return new BacklineError('NETDUMP_RECEIVER_FAILED', `This machine has no IPv6, so the receiver cannot listen on ${where}.`, {
        hint: 'Listen on an IPv4 address (0.0.0.0 for all of them).',
        detail,
      });
    default:
      return new BacklineError('NETDUMP_RECEIVER_FAILED', `The receiver could not listen on ${where}: ${error.message}.`, {
        hint: 'Try another address or port; the error above is what the operating system said.',
        detail,
      });
  }
}
