import type { Run } from '../../../shared/domain/command.js';
import { noteBodySchema } from '../../../shared/domain/note.js';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import type { Workspace } from '../workspace/workspace.js';
import { hostsWithResults, runEvidence, runMarkdown } from './run-evidence.js';

/** Evidence entries a finding can hold (the contract's limit for findings.add). */
const MAX_EVIDENCE = 50;
const NOTE_LIMIT = 1024 * 1024;

/** The servers of a run whose output is taken: those asked for, each of which must have answered. */
function pickHosts(run: Run, serverIds: readonly number[] | undefined) {
  const answered = hostsWithResults(run);
  if (serverIds === undefined) {
    if (answered.length === 0) throw new BacklineError('VALIDATION_FAILED', 'No server has answered this run yet: there is no output to take.', { hint: 'Wait for the run to end.' });
    return answered;
  }
  return serverIds.map((id) => {
    const host = answered.find((h) => h.serverId === id);
    if (host) return host;
    const pending = run.hosts.find((h) => h.serverId === id);
    throw new BacklineError(
      'VALIDATION_FAILED',
      pending ? `${pending.label} has not answered this run: there is no output of it to take.` : `Server ${id} was not part of this run.`,
      { hint: 'Pick the servers whose output you want.' },
    );
  });
}

const describeRun = (run: Run, hosts: readonly { label: string }[]) =>
  `the output of ${run.sudo ? 'sudo ' : ''}${run.command.replace(/\s+/g, ' ').slice(0, 120)} on ${hosts.map((h) => h.label).join(', ')}`;

/** The run history of a ticket: reopen, re-run and compare past runs, and take their output as evidence. */
export function runHandlers(ws: Workspace): HandlerGroup<'runs.list' | 'runs.get' | 'runs.commands' | 'runs.toFinding' | 'runs.toNote'> {
  // A Backline that stopped mid-run left its runs "running"; nothing will end them now.
  ws.change((tx) => ws.runs.interruptRunning(tx.now));

  return {
    'runs.list': ({ ticketId, limit }) => {
      ws.tickets.get(ticketId);
      return ws.runs.listForTicket(ticketId, limit);
    },
    'runs.get': ({ id }) => ws.runs.get(id),
    'runs.commands': ({ limit }) => ws.runs.recentCommands(limit),
    'runs.toFinding': ({ runId, serverIds, target }) =>
      ws.change((tx) => {
        const run = ws.runs.get(runId);
        const hosts = pickHosts(run, serverIds);
        const evidence = runEvidence(run, hosts);
        if (target.kind === 'new') {
          const finding = ws.findings.add(
            {
              ticketId: run.ticketId,
              kind: target.findingKind,
              severity: target.severity,
              title: target.title,
              detail: { command: run.command.slice(0, 2000), servers: hosts.map((h) => h.label).join(', '), sudo: run.sudo },
              evidence,
            },
            tx.now,
          );
          tx.record({
            ticketId: finding.ticketId,
            action: 'finding.added',
            summary: `${finding.severity} ${finding.kind}: ${finding.title} (with ${describeRun(run, hosts)})`,
            detail: { findingId: finding.id, runId, serverIds: hosts.map((h) => h.serverId) },
          });
          return finding;
        }
        const before = ws.findings.get(target.findingId);
        if (before.ticketId !== run.ticketId) {
          throw new BacklineError('VALIDATION_FAILED', `That finding belongs to ${before.ticketId}; this run belongs to ${run.ticketId}.`, { hint: 'Evidence stays with its own ticket.' });
        }
        if (before.evidence.length + evidence.length > MAX_EVIDENCE) {
          throw new BacklineError('VALIDATION_FAILED', `A finding holds at most ${MAX_EVIDENCE} pieces of evidence; “${before.title}” has ${before.evidence.length}.`, {
            hint: 'Pick fewer servers, or start a new finding.',
          });
        }
        const finding = ws.findings.addEvidence(before.id, evidence);
        tx.record({
          ticketId: finding.ticketId,
          action: 'finding.evidence.added',
          summary: `Added ${describeRun(run, hosts)} to finding: ${finding.title}`,
          detail: { findingId: finding.id, runId, serverIds: hosts.map((h) => h.serverId) },
        });
        return finding;
      }),
    'runs.toNote': ({ runId, serverIds, target }) =>
      ws.change((tx) => {
        const run = ws.runs.get(runId);
        const hosts = pickHosts(run, serverIds);
        const block = runMarkdown(run, hosts);
        const fits = (body: string) => {
          if (!noteBodySchema.safeParse(body).success || body.length > NOTE_LIMIT) {
            throw new BacklineError('VALIDATION_FAILED', 'With this output the note would pass its 1 MiB limit.', { hint: 'Start a new note for it, or pick fewer servers.' });
          }
          return body;
        };
        if (target.kind === 'new') {
          const note = ws.notes.create(run.ticketId, target.title, fits(`${block}\n`), tx.now);
          tx.record({ ticketId: note.ticketId, action: 'note.created', summary: `Started note "${note.title}" with ${describeRun(run, hosts)}`, detail: { noteId: note.id, runId } });
          tx.emit('note.saved', note);
          return note;
        }
        const before = ws.notes.get(target.noteId);
        if (before.ticketId !== run.ticketId) {
          throw new BacklineError('VALIDATION_FAILED', `That note belongs to ${before.ticketId}; this run belongs to ${run.ticketId}.`, { hint: 'Output stays with its own ticket.' });
        }
        const body = before.body.trimEnd() === '' ? `${block}\n` : `${before.body.trimEnd()}\n\n${block}\n`;
        const note = ws.notes.save(before.id, before.revision, undefined, fits(body), tx.now);
        tx.record({
          ticketId: note.ticketId,
          action: 'note.saved',
          summary: `Added ${describeRun(run, hosts)} to note "${note.title}" (revision ${note.revision})`,
          detail: { noteId: note.id, revision: note.revision, runId },
        });
        tx.emit('note.saved', note);
        return note;
      }),
  };
}
