import { canonicalIp, hostPort } from '../../../../shared/domain/address.js';
import type { NetconsoleTargetDetail, NetconsoleVerdict } from '../../../../shared/domain/plan.js';
import type { KernelAnswer } from './apply.js';
import type { Neighbour, PrintkLevels, RouteFacts } from './preflight.js';
import type { ConfigfsTarget } from './targets.js';

/**
 * Why a verification marker did not arrive, named from evidence read on the server right after
 * (pure). The reasons are tried in the order a frame would meet them: the kernel refused the target,
 * the target is not enabled, the route or the next hop's MAC changed, the marker's level was below the
 * console's, the receiver's port drops even a datagram sent from user space.
 */

export interface VerifyEvidence {
  arrived: boolean;
  /** The marker's `<N>` level. */
  level: number;
  target: ConfigfsTarget | null;
  kernel: KernelAnswer;
  route: RouteFacts | null;
  neighbours: Neighbour[];
  printk: PrintkLevels | null;
  /** The datagram sent from user space on the server to the same receiver:port. */
  udp: { tool: string | null; sent: boolean; arrived: boolean | null; said: string | null };
}

export interface Diagnosis {
  verdict: NetconsoleVerdict;
  ok: boolean;
  message: string;
  evidence: string[];
}

type Detail = Pick<NetconsoleTargetDetail, 'target' | 'devName' | 'remoteIp' | 'remotePort' | 'remoteMac' | 'gateway' | 'driver'>;

export function diagnose(detail: Detail, e: VerifyEvidence): Diagnosis {
  const receiver = hostPort(detail.remoteIp, detail.remotePort);
  const hopAddress = detail.gateway ?? detail.remoteIp;
  const hop = e.neighbours.find((n) => n.address === (canonicalIp(hopAddress) ?? hopAddress));
  const evidence = [
    `target ${detail.target}: ${e.target ? Object.entries(e.target.attrs).map(([k, v]) => `${k}=${v}`).join(' ') : 'absent'}`,
    ...e.kernel.lines.map((l) => `dmesg: ${l}`),
    `route: ${e.route ? (e.route.kind === 'unicast' ? `dev ${e.route.device ?? '?'} src ${e.route.source ?? '?'}${e.route.gateway ? ` via ${e.route.gateway}` : ''}` : (e.route.error ?? e.route.kind)) : 'unread'}`,
    `neighbour ${hopAddress}: ${hop ? `${hop.mac ?? 'no MAC'} ${hop.state ?? ''}`.trim() : 'not in the table'}`,
    `printk: ${e.printk ? `${e.printk.console} ${e.printk.defaultMessage} ${e.printk.minimumConsole} ${e.printk.bootDefault}` : 'unread'}; marker at level ${e.level}`,
    `user-space datagram: ${e.udp.sent ? `sent with ${e.udp.tool ?? '?'}, ${e.udp.arrived === true ? 'arrived' : e.udp.arrived === false ? 'did not arrive' : 'not waited for'}` : `not sent${e.udp.said ? ` (${e.udp.said})` : ''}`}`,
  ];
  const say = (verdict: NetconsoleVerdict, message: string): Diagnosis => ({ verdict, ok: verdict === 'arrived', message, evidence });

  if (e.arrived) return say('arrived', `The marker arrived at ${receiver}.`);
  const refusal = e.kernel.refusals.at(-1);
  if (refusal && (!e.target || e.target.attrs.enabled !== '1' || !e.kernel.started)) {
    return say('device-refused', `The kernel refused to send from ${detail.devName}${detail.driver ? ` (${detail.driver})` : ''}: "${refusal}". netconsole cannot use this interface; send from another one, or capture panics another way (kdump, serial console).`);
  }
  if (!e.target) return say('target-disabled', `The target ${detail.target} is gone from /sys/kernel/config/netconsole (removed, or the module was unloaded or the server rebooted). Apply the plan again.`);
  if (e.target.attrs.enabled !== '1') return say('target-disabled', `The target ${detail.target} is not enabled (enabled=${e.target.attrs.enabled ?? '?'}), and the kernel said nothing about why. Apply the plan again and read dmesg.`);
  if (!e.route || e.route.kind !== 'unicast') return say('no-route', `The server no longer routes to ${detail.remoteIp}${e.route?.error ? ` (${e.route.error})` : ''}: the marker had nowhere to go. Fix the route, or use a receiver address it can reach.`);
  if (e.route.device !== detail.devName) return say('no-route', `The route to ${detail.remoteIp} now leaves by ${e.route.device ?? '?'}, not ${detail.devName} where the target sends. Preview the plan again.`);
  if ((e.route.gateway ?? null) !== (detail.gateway ?? null)) return say('wrong-mac', `The next hop changed: the route now goes ${e.route.gateway ? `via ${e.route.gateway}` : 'straight to the receiver'}, but the target addresses ${detail.remoteMac} (${detail.gateway ? `the gateway ${detail.gateway}` : 'the receiver'}). Preview the plan again.`);
  if (!hop?.mac || hop.state === 'FAILED' || hop.state === 'INCOMPLETE') return say('wrong-mac', `The next hop ${hopAddress} does not answer ARP/NDP (${hop?.state ?? 'not in the neighbour table'}): frames addressed to ${detail.remoteMac} go nowhere. Check that ${hopAddress} is up on ${detail.devName}.`);
  if (hop.mac !== detail.remoteMac) return say('wrong-mac', `The target sends to ${detail.remoteMac}, but ${hopAddress} is now at ${hop.mac}: frames go to the wrong machine. Preview the plan again to pick up the new MAC.`);
  if (e.printk && e.level >= e.printk.console) return say('level-filtered', `The marker's level ${e.level} is not below the console log level ${e.printk.console}: the kernel never sent it to netconsole. A panic still is (it raises the level); to let warnings and the marker through: sysctl -w kernel.printk="7 4 1 7".`);
  if (!e.udp.sent && /Operation not permitted|EPERM/i.test(e.udp.said ?? '')) {
    // netpoll hands its frames to the driver below netfilter: the server's own rules do not stop netconsole, so this proves nothing either way.
    return say('unknown', `The marker did not arrive, and the test datagram could not be sent: the server's own firewall refuses UDP to ${receiver} from user space ("Operation not permitted"). netconsole sends below that firewall, so this neither shows nor rules out a filter further along. Allow UDP to port ${detail.remotePort} in the server's OUTPUT rules and verify again to tell.`);
  }
  if (e.udp.sent && e.udp.arrived === false) return say('port-filtered', `A UDP datagram sent from user space on the server to ${receiver} (${e.udp.tool ?? '?'}) did not arrive either: something between (a firewall, the receiver's own host) drops UDP to port ${detail.remotePort}. Open it, or use a receiver inside the customer's network.`);
  if (e.udp.sent && e.udp.arrived === true) {
    return say('unknown', `A UDP datagram from user space on the server reached ${receiver}, but the kernel's marker did not, with the target enabled, the route and MAC right and the level let through: the kernel's netpoll path on ${detail.devName}${detail.driver ? ` (${detail.driver})` : ''} does not deliver. Do not rely on netconsole from this interface.`);
  }
  return say('unknown', `The marker did not arrive and nothing on the server explains it${e.udp.sent ? '' : ' (no tool to send a test datagram from user space: python3, socat, nc or bash)'}. Check the receiver is listening on ${receiver}.`);
}
