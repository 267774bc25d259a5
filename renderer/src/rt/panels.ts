import { createFlag } from '../app/flag.js';

/** The RT settings modal and the outbox drawer, opened from the ticket list's header. */
export const rtSettingsPanel = createFlag();
export const outboxPanel = createFlag();
