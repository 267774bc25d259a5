/** The export dialog's choice: which ids are ticked, starting from the main side's defaults. Pure. */
export interface ExportItem {
  id: number;
  selected: boolean;
}

export function initialSelection(items: readonly ExportItem[]): Set<number> {
  return new Set(items.filter((item) => item.selected).map((item) => item.id));
}

export function toggled(selection: ReadonlySet<number>, id: number, on: boolean): Set<number> {
  const next = new Set(selection);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** The ids in the order they are listed, so the export keeps the ticket's order. */
export function chosenIds(items: readonly ExportItem[], selection: ReadonlySet<number>): number[] {
  return items.filter((item) => selection.has(item.id)).map((item) => item.id);
}

export function selectionSummary(notes: number, findings: number): string {
  const part = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${part(findings, 'finding', 'findings')} and ${part(notes, 'note', 'notes')}`;
}
