import type { WorkspaceTab } from '../app/route.js';

/** Tab labels, in order. The e2e tests find tabs by these names. */
export const tabLabels: Record<WorkspaceTab, string> = {
  notes: 'Notes',
  findings: 'Findings',
  audit: 'Audit',
  servers: 'Servers',
  firewall: 'Firewall',
  php: 'PHP',
  netdump: 'Netdump',
};
