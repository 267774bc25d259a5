import type { HandlerGroup } from '../handlers.js';
import type { Workspace } from './workspace.js';

export function ticketHandlers(ws: Workspace): HandlerGroup<'tickets.list' | 'tickets.get' | 'tickets.create' | 'tickets.update'> {
  return {
    'tickets.list': ({ filter }) => ws.tickets.list(filter),
    'tickets.get': ({ id }) => ws.tickets.get(id),
    'tickets.create': (input) =>
      ws.change((tx) => {
        const ticket = ws.tickets.create(input, tx.now);
        tx.record({ ticketId: ticket.id, action: 'ticket.created', summary: `Opened workspace for ${ticket.id}: ${ticket.title}` });
        return ticket;
      }),
    'tickets.update': ({ id, ...changes }) =>
      ws.change((tx) => {
        const before = ws.tickets.get(id);
        const after = ws.tickets.update(id, changes, tx.now);
        const changed = (['title', 'customer', 'status'] as const).filter((key) => before[key] !== after[key]);
        if (changed.length > 0) {
          tx.record({
            ticketId: id,
            action: 'ticket.updated',
            summary: changed.map((key) => `${key}: ${before[key] || '—'} → ${after[key] || '—'}`).join('; '),
            detail: Object.fromEntries(changed.map((key) => [key, { from: before[key], to: after[key] }])),
          });
        }
        return ws.tickets.get(id);
      }),
  };
}
