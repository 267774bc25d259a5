import type { MethodInput } from '../../../shared/contract/index.js';
import type { FindingDetail, findingKinds, findingSeverities } from '../../../shared/domain/finding.js';

export type FindingKind = (typeof findingKinds)[number];
export type FindingSeverity = (typeof findingSeverities)[number];

export interface DetailRow {
  key: string;
  value: string;
}
export interface EvidenceRow {
  label: string;
  content: string;
}

export interface FindingFormValues {
  kind: FindingKind;
  severity: FindingSeverity;
  title: string;
  detail: DetailRow[];
  evidence: EvidenceRow[];
}

export const emptyFindingForm = (): FindingFormValues => ({ kind: 'observation', severity: 'info', title: '', detail: [], evidence: [] });

/**
 * Turns the form's rows into `findings.add` input. Rows left completely blank are dropped (an
 * untouched "Add detail" row is not a mistake); half-filled rows are kept so the server names them.
 * Detail values stay strings: the engineer typed them, and "0755" must not become 755.
 */
export function toFindingInput(ticketId: string, values: FindingFormValues): MethodInput<'findings.add'> {
  const detail: FindingDetail = {};
  for (const row of values.detail) {
    if (!row.key.trim() && !row.value.trim()) continue;
    detail[row.key.trim()] = row.value;
  }
  const evidence = values.evidence.filter((row) => row.label.trim() || row.content.trim());
  return { ticketId, kind: values.kind, severity: values.severity, title: values.title, detail, evidence };
}

/** Colors for severity badges: the eye should find "critical" first. */
export const severityColor: Record<FindingSeverity, string> = {
  info: 'gray',
  low: 'blue',
  medium: 'yellow',
  high: 'orange',
  critical: 'red',
};

/** Renders a detail value as the engineer would read it. */
export function formatDetailValue(value: FindingDetail[string]): string {
  if (value === null) return '—';
  return String(value);
}
