import { hostPort } from '../../../../shared/domain/address.js';
import type { NetconsoleTargetPlan } from '../../../../shared/domain/plan.js';
import type { NewFinding, Supersession } from '../../store/findings-repo.js';

/** The finding a passed verification leaves on the ticket: the path is proven before the crash. */
export function verifiedFinding(plan: NetconsoleTargetPlan, serverLabel: string, receiver: string): NewFinding {
  const { detail } = plan;
  const v = detail.verification;
  return {
    ticketId: plan.ticketId,
    planId: plan.id,
    kind: 'observation',
    severity: 'info',
    title: v?.message ?? `netconsole from ${serverLabel} (${detail.devName}) to ${hostPort(detail.remoteIp, detail.remotePort)} verified`,
    detail: {
      server: serverLabel,
      device: detail.devName,
      driver: detail.driver,
      localIp: detail.localIp,
      receiver: hostPort(detail.remoteIp, detail.remotePort),
      receivedBy: receiver,
      nextHopMac: detail.remoteMac,
      target: detail.target,
      plan: plan.id,
      keptAcrossReboot: detail.persist,
    },
    evidence: [{ label: 'Verification', content: [v?.message ?? '', ...(v?.evidence ?? [])].join('\n') }, ...(detail.setup?.kernelSaid.length ? [{ label: 'Kernel', content: detail.setup.kernelSaid.join('\n') }] : [])],
  };
}

/** What the finding says once the target is taken down. */
export function verifiedFindingEnded(plan: NetconsoleTargetPlan, at: string): Supersession {
  return {
    title: `netconsole target ${plan.detail.target} to ${hostPort(plan.detail.remoteIp, plan.detail.remotePort)} removed at ${at}`,
    note: `The path was verified while the target was in place (plan ${plan.id}); it was removed at ${at}.`,
  };
}
