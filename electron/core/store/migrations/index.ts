import { migration001 } from './001_workspace.js';
import { migration002 } from './002_servers.js';
import { migration003 } from './003_plans.js';
import { migration004 } from './004_runs.js';
import { migration005 } from './005_finding_status.js';
import { migration006 } from './006_netdump.js';
import { migration007 } from './007_ticket_system.js';
import type { Migration } from './migration.js';

/** Every migration, in order. A new one is a new numbered file added here. */
export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007];
export type { Migration };
