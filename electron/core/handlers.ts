import type { MethodName, MethodOutput, ParsedInput } from '../../shared/contract/index.js';

/** Who is calling: the shell and, for the web host, which connection. Handlers rarely need it. */
export interface CallContext {
  shell: 'electron' | 'browser';
}

export type Handler<K extends MethodName> = (input: ParsedInput<K>, ctx: CallContext) => Promise<MethodOutput<K>> | MethodOutput<K>;

/** One handler per contract method; the type makes a missing or misspelled one a compile error. */
export type Handlers = { [K in MethodName]: Handler<K> };

export type HandlerGroup<K extends MethodName> = { [P in K]: Handler<P> };
