/**
 * What is known of a NIC driver's netpoll support, the path netconsole sends through when the kernel
 * is dying. A hint before applying, never the verdict: the kernel's own answer when the target is
 * enabled ("netconsole: network logging started", or "<dev> doesn't support polling, aborting") is
 * read back by the plan, and the marker proves the path.
 *
 * What the table rests on:
 * - good, measured here: virtio_net and e1000 (Debian 12's kernel under QEMU: a panic captured whole
 *   through each, electron/core/netdump/fixtures/recorded/).
 * - good, by how netpoll works: since Linux 4.19 netpoll polls a device's NAPI contexts itself (the
 *   per-driver ndo_poll_controller was removed from NAPI drivers), so the common NAPI Ethernet
 *   drivers below send from netpoll; each is a long-standing netconsole target in practice.
 * - bad: devices that set IFF_DISABLE_NETPOLL or have no Ethernet header to address (netconsole
 *   needs a MAC): the kernel refuses them. Listed by driver name as sysfs shows it.
 * - anything else: unknown, and the apply step reads the kernel's answer.
 */

export type NetpollSupport = 'good' | 'bad' | 'unknown';

const GOOD_MEASURED = new Set(['virtio_net', 'e1000']);
const GOOD_NAPI = new Set([
  'e1000e',
  'igb',
  'igc',
  'ixgbe',
  'ixgbevf',
  'i40e',
  'iavf',
  'ice',
  'tg3',
  'bnx2',
  'bnx2x',
  'bnxt_en',
  'mlx4_en',
  'mlx4_core',
  'mlx5_core',
  'r8169',
  'vmxnet3',
  'ena',
  'hv_netvsc',
  'xen-netfront',
  'xen_netfront',
  'gve',
  'sfc',
  'be2net',
  'qede',
  'enic',
  'nfp',
]);
/** No Ethernet addressing for netconsole's UDP frames, or netpoll disabled on the device. */
const BAD = new Map<string, string>([
  ['wireguard', 'a WireGuard tunnel has no Ethernet header to address'],
  ['tun', 'a tun device has no Ethernet header to address'],
  ['ipip', 'an IP-in-IP tunnel has no Ethernet header to address'],
  ['sit', 'a sit tunnel has no Ethernet header to address'],
]);

export interface NetpollVerdict {
  support: NetpollSupport;
  /** What the verdict rests on, for people. */
  basis: string;
}

export function netpollSupport(driver: string | null): NetpollVerdict {
  if (driver === null) return { support: 'unknown', basis: 'The driver could not be read (no /sys/class/net/<dev>/device/driver): a virtual device, or sysfs not readable.' };
  if (GOOD_MEASURED.has(driver)) return { support: 'good', basis: `${driver}: a panic was captured whole through it here (Debian 12's kernel under QEMU).` };
  if (GOOD_NAPI.has(driver)) return { support: 'good', basis: `${driver} is a NAPI driver: since Linux 4.19 netpoll polls its NAPI contexts itself, and it is a long-standing netconsole target.` };
  const bad = BAD.get(driver);
  if (bad) return { support: 'bad', basis: `${driver}: ${bad}; the kernel refuses it as a netconsole device.` };
  return { support: 'unknown', basis: `${driver} is not in Backline's table of drivers: the kernel's answer when the target is enabled, and the marker, will tell.` };
}
