import type { z } from 'zod';
import type { WireResult } from '../../shared/bridge.js';
import { isMethodName, methods, type MethodName } from '../../shared/contract/index.js';
import { BacklineError, type ErrorIssue } from '../../shared/errors.js';
import type { CallContext, Handler, Handlers } from './handlers.js';

export type Dispatch = (method: unknown, input: unknown, ctx: CallContext) => Promise<WireResult>;

export function issuesOf(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * The single entry point both transports call: it names the method, validates the input against the
 * contract before any handler runs, checks the output on the way back, and turns every failure into a
 * typed error. Unexpected errors are logged here and reach the window only as INTERNAL.
 */
export function createDispatch(handlers: Handlers, log: (message: string, error: unknown) => void): Dispatch {
  return async (name, rawInput, ctx) => {
    try {
      if (!isMethodName(name)) {
        const named = typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name) : `of type ${typeof name}`;
        throw new BacklineError('UNKNOWN_METHOD', `Backline has no action called ${named}.`, {
          hint: 'The window and the main side may be from different versions: restart Backline.',
        });
      }
      const spec = methods[name];
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) {
        throw new BacklineError('VALIDATION_FAILED', `The input to ${name} was not valid.`, {
          issues: issuesOf(parsed.error),
          hint: 'Correct the fields named and try again; nothing was changed.',
        });
      }
      const handler = handlers[name] as Handler<MethodName>;
      const value: unknown = await handler(parsed.data, ctx);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        log(`output of ${name} broke the contract`, checked.error);
        throw new BacklineError('INTERNAL', `Backline produced an answer to ${name} that it could not vouch for.`);
      }
      return { ok: true, value: checked.data };
    } catch (error) {
      if (error instanceof BacklineError) return { ok: false, error: error.toWire() };
      log(`${String(name)} failed`, error);
      return {
        ok: false,
        error: new BacklineError('INTERNAL', undefined, { hint: 'The details are in the Backline log; try again.' }).toWire(),
      };
    }
  };
}
