import { createFlag } from '../app/flag.js';

/** The Snippets drawer, opened from the ticket list's header. */
export const snippetsPanel = createFlag();
