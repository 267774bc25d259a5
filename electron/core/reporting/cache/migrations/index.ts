import type { Migration } from '../../../store/migrations/migration.js';
import { migration001 } from './001_cache.js';
import { migration002 } from './002_ticket_spans.js';
import { migration003 } from './003_derived_state.js';
import { migration004 } from './004_deferred_indexes.js';
import { migration005 } from './005_span_teams.js';
import { migration006 } from './006_long_spans_by_team.js';

/** Every reporting-cache migration, in order. A new one is a new numbered file added here. */
export const cacheMigrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006];
