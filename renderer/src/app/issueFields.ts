import type { ErrorIssue } from '../../../shared/errors.js';

export interface FieldIssues<F extends string> {
  /** First message per form field. */
  fields: Partial<Record<F, string>>;
  /** Issues that belong to no field on the form (or to the whole input), shown above the buttons. */
  general: string[];
}

/**
 * Maps validation issues onto form fields: an issue's first path segment names the input property
 * (`title`, `detail.port` -> `detail`), and `fieldFor` says which form field shows it.
 */
export function issuesToFields<F extends string>(
  issues: readonly ErrorIssue[] | undefined,
  fieldFor: Readonly<Record<string, F>>,
): FieldIssues<F> {
  const result: FieldIssues<F> = { fields: {}, general: [] };
  for (const issue of issues ?? []) {
    const head = issue.path.split('.')[0] ?? '';
    const field = Object.hasOwn(fieldFor, head) ? fieldFor[head] : undefined;
    if (field === undefined) result.general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    else result.fields[field] ??= issue.message;
  }
  return result;
}
