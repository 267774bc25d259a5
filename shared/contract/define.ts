import { z } from 'zod';

/** A call from the renderer to the main side: its input and output schemas, and one line on what it does. */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  input: I;
  output: O;
}

export function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

/** An event pushed from the main side to every open window. */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  summary: string;
  payload: P;
}

export function event<P extends z.ZodType>(spec: EventSpec<P>): EventSpec<P> {
  return spec;
}

export interface RecordBounds {
  maxEntries: number;
  /** Characters over every key and string value. */
  maxChars: number;
  /** The messages, in the words of the field: "A finding has at most 100 details." */
  tooMany: string;
  tooLong: string;
}

/** What is wrong with a record's size, looking no further than the bounds: null when it fits (or is not an object). */
function recordSizeProblem(value: unknown, bounds: RecordBounds): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  let entries = 0;
  let chars = 0;
  for (const key of Object.keys(value)) {
    if (++entries > bounds.maxEntries) return bounds.tooMany;
    const item: unknown = (value as Record<string, unknown>)[key];
    chars += key.length + (typeof item === 'string' ? item.length : 0);
    if (chars > bounds.maxChars) return bounds.tooLong;
  }
  return null;
}

/**
 * A record (free-form keys) from outside, bounded in entries and characters. The bounds are checked
 * first, so a hostile record with a million entries is refused without checking each one.
 */
export function boundedRecord<O extends Record<string, unknown>, I>(record: z.ZodType<O, I>, bounds: RecordBounds) {
  return z
    .custom<I>((value) => recordSizeProblem(value, bounds) === null, { error: (issue) => recordSizeProblem(issue.input, bounds) ?? bounds.tooMany })
    .pipe(record);
}
