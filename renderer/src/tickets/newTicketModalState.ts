import { createFlag } from '../app/flag.js';

/** Opened by the list's button and by the command palette; rendered once by the layout. */
export const newTicketModal = createFlag();
