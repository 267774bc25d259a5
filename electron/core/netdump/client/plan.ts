import { canonicalIp, hostPort } from '../../../../shared/domain/address.js';
import type { NetconsoleTargetDetail, NetconsoleTargetPlan, PlanStep } from '../../../../shared/domain/plan.js';
import { commandLine } from '../../ssh/shell-quote.js';
import { netconsoleAvailable, usableNextHopMac, type PreflightFacts } from './preflight.js';
import { bootOption } from './scripts.js';

/**
 * The netconsole plan as a pure function: from the preflight's facts and what the engineer asked, the
 * plan with its exact steps (each with its undo and check) or the reasons it cannot be made. The steps
 * are what the apply script does, shown as the commands an engineer would type; the script runs them
 * in one round trip and undoes its own work if any step fails.
 */

/** netconsole's usual source port. */
export const NETCONSOLE_LOCAL_PORT = 6665;
const CONFIGFS = '/sys/kernel/config';

/** The configfs target's name: `backline-` and the ticket id, lower-case, anything but [a-z0-9-] as `-`. */
export function targetName(ticketId: string): string {
  const tail = ticketId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return `backline-${tail || 'ticket'}`;
}

export interface NetconsolePlanRequest {
  ticketId: string;
  server: { id: number; label: string };
  facts: PreflightFacts;
  target: { address: string; port: number };
  persist: boolean;
  /** Backline logs in as root (the commands shown without sudo). */
  asRoot: boolean;
  id: string;
  now: string;
}

export type NetconsolePlanResult = { ok: true; plan: NetconsoleTargetPlan } | { ok: false; reasons: string[] };

/** Why no plan can be made from these facts (empty: one can). */
export function planBlockers(facts: PreflightFacts, target: { address: string }): string[] {
  const reasons: string[] = [];
  if (facts.uid !== 0) reasons.push('Backline is not root on this server (and sudo was refused): netconsole targets are made as root.');
  if (!netconsoleAvailable(facts)) reasons.push(`${facts.kernelRelease ?? 'This kernel'} has no netconsole (no module, not built in).`);
  if (!facts.configfs.netconsoleDir && facts.configfs.mountedAt === null && !facts.configfs.registered && facts.configfs.moduleFile === null) reasons.push('configfs is not available on this kernel: dynamic netconsole targets need it.');
  if (facts.netconsole.config.CONFIG_NETCONSOLE_DYNAMIC === 'n') reasons.push("This kernel's netconsole has no dynamic targets (CONFIG_NETCONSOLE_DYNAMIC is not set).");
  const route = facts.route;
  if (!route || route.kind !== 'unicast' || !route.device) reasons.push(route?.kind === 'local' ? `${target.address} is this server's own address.` : `This server has no route to ${target.address}${route?.error ? ` (${route.error})` : ''}.`);
  else if (!route.source) reasons.push(`The route to ${target.address} names no source address on ${route.device}.`);
  else if (!usableNextHopMac(facts)) reasons.push(`No MAC address is known for the next hop ${facts.nextHop?.address ?? '?'} (neighbour state ${facts.nextHop?.state ?? 'none'}): netconsole addresses every frame to it.`);
  if (facts.netpoll.support === 'bad') reasons.push(`The NIC's driver cannot send netconsole: ${facts.netpoll.basis}`);
  return reasons;
}

export function buildNetconsolePlan(request: NetconsolePlanRequest): NetconsolePlanResult {
  const { facts, target, server } = request;
  const reasons = planBlockers(facts, target);
  const route = facts.route;
  const mac = usableNextHopMac(facts);
  if (reasons.length > 0 || !route?.device || !route.source || !mac) return { ok: false, reasons: reasons.length > 0 ? reasons : ['The route could not be read.'] };

  const name = targetName(request.ticketId);
  const detail: NetconsoleTargetDetail = {
    target: name,
    devName: route.device,
    localIp: canonicalIp(route.source) ?? route.source,
    localPort: NETCONSOLE_LOCAL_PORT,
    remoteIp: canonicalIp(target.address) ?? target.address,
    remotePort: target.port,
    remoteMac: mac,
    gateway: route.gateway ? (canonicalIp(route.gateway) ?? route.gateway) : null,
    extended: true,
    driver: facts.device?.driver ?? null,
    persist: request.persist,
    setup: null,
    verification: null,
  };

  const sudo = (argv: string[]) => commandLine(request.asRoot ? argv : ['sudo', '-n', '--', ...argv]);
  const write = (attr: string, value: string) => sudo(['sh', '-c', `echo ${value} > ${CONFIGFS}/netconsole/${name}/${attr}`]);
  const dir = `${CONFIGFS}/netconsole/${name}`;
  const steps: PlanStep[] = [];
  const warnings: string[] = [];

  if (!facts.configfs.registered && !facts.configfs.netconsoleDir) {
    steps.push({ title: 'Load configfs (recorded, unloaded again on removal)', command: sudo(['modprobe', 'configfs']), undo: sudo(['modprobe', '-r', 'configfs']), check: 'grep configfs /proc/filesystems' });
  }
  if (facts.configfs.mountedAt === null) {
    steps.push({ title: `Mount configfs on ${CONFIGFS} (recorded, unmounted again on removal)`, command: sudo(['mount', '-t', 'configfs', 'configfs', CONFIGFS]), undo: sudo(['umount', CONFIGFS]), check: 'grep configfs /proc/mounts' });
  }
  if (!facts.netconsole.loaded && !facts.netconsole.builtin && !facts.configfs.netconsoleDir) {
    steps.push({ title: 'Load the netconsole module (recorded, unloaded again on removal if no other target uses it)', command: sudo(['modprobe', 'netconsole']), undo: sudo(['modprobe', '-r', 'netconsole']), check: `ls ${CONFIGFS}/netconsole` });
  }
  const existing = facts.targets.find((t) => t.name === name);
  if (existing) {
    steps.push({
      title: `Take down the existing target ${name} (to ${existing.attrs.remote_ip ?? '?'}:${existing.attrs.remote_port ?? '?'}); removal makes it again as it was`,
      command: [write('enabled', '0'), sudo(['rmdir', dir])].join('\n'),
      undo: 'Made again with its attributes as read now.',
      check: null,
    });
    warnings.push(`A target named ${name} already exists (to ${existing.attrs.remote_ip ?? '?'}:${existing.attrs.remote_port ?? '?'}, enabled ${existing.attrs.enabled ?? '?'}): it is replaced, and put back on removal.`);
  }
  steps.push({
    title: `Make the target ${name}: from ${detail.devName} (${detail.localIp}:${detail.localPort}) to ${hostPort(detail.remoteIp, detail.remotePort)} via ${detail.gateway ? `the gateway ${detail.gateway}` : 'the link'} at ${detail.remoteMac}, extended format, enabled last`,
    command: [
      sudo(['mkdir', dir]),
      write('dev_name', detail.devName),
      write('local_ip', detail.localIp),
      write('remote_ip', detail.remoteIp),
      write('remote_mac', detail.remoteMac),
      write('local_port', String(detail.localPort)),
      write('remote_port', String(detail.remotePort)),
      write('extended', '1'),
      write('enabled', '1'),
    ].join('\n'),
    undo: [write('enabled', '0'), sudo(['rmdir', dir])].join('\n'),
    check: `cat ${dir}/enabled; dmesg | grep -i netconsole | tail -n 3   # "netconsole: network logging started", or the kernel's refusal`,
  });
  if (request.persist) {
    const option = bootOption({ ...detail });
    steps.push({
      title: 'Set the same target up at boot: netconsole loaded by systemd-modules-load, its target from the module option',
      command: [
        sudo(['sh', '-c', `printf 'options netconsole netconsole=%s\\n' '${option}' > /etc/modprobe.d/backline-netconsole.conf`]),
        sudo(['sh', '-c', "echo netconsole > /etc/modules-load.d/backline-netconsole.conf"]),
      ].join('\n'),
      undo: sudo(['rm', '-f', '/etc/modprobe.d/backline-netconsole.conf', '/etc/modules-load.d/backline-netconsole.conf']),
      check: 'cat /etc/modprobe.d/backline-netconsole.conf',
    });
    if (facts.netconsole.builtin) warnings.push('netconsole is built into this kernel: a module option does not reach it at boot. Only netconsole= on the kernel command line would, and Backline does not edit the boot loader; the target lasts until the next reboot.');
    if (!facts.tools.systemctl) warnings.push('This server does not run systemd: /etc/modules-load.d is not read at boot, so the module (and its target) will not load by itself. Add netconsole to /etc/modules if the server reads it.');
    warnings.push(`At boot the target sends to ${detail.remoteMac} as the MAC of the next hop: if the gateway or receiver changes, preview again.`);
  }
  if (facts.netpoll.support === 'unknown') warnings.push(`${facts.netpoll.basis}`);
  if (facts.printk && facts.printk.console <= 4) warnings.push(`The console log level is ${facts.printk.console}: a panic reaches the receiver, but oops and WARNING lines (level 4) do not.`);
  if (facts.persistedFiles.some((f) => !f.includes('backline-'))) warnings.push(`The server already sets netconsole up at boot (${facts.persistedFiles.join(', ')}): it may send to another receiver as well.`);

  return {
    ok: true,
    plan: {
      id: request.id,
      ticketId: request.ticketId,
      serverId: server.id,
      kind: 'netconsole.target',
      title: `netconsole from ${server.label} (${detail.devName}) to ${hostPort(detail.remoteIp, detail.remotePort)}${request.persist ? ', kept across reboot' : ''}`,
      status: 'previewed',
      steps,
      warnings,
      detail,
      rollbackAt: null,
      createdAt: request.now,
      updatedAt: request.now,
      log: [],
    },
  };
}
