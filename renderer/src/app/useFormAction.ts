import { useCallback, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/contract/index.js';
import { useClient } from './ClientContext.js';

interface State<K extends MethodName> {
  isPending: boolean;
  error: Error | null;
  variables: MethodInput<K> | null;
}

export interface FormAction<K extends MethodName> extends State<K> {
  /** Resolves with the output, or with undefined when the call failed (the error is in `error`) or was reset. */
  run: (input: MethodInput<K>) => Promise<MethodOutput<K> | undefined>;
  reset: () => void;
}

/**
 * One contract call whose failure the form shows inline, next to the fields the issues name: unlike
 * useInvoke (a mutation, announced by the MutationCache), nothing pops up over the form as well.
 * A call superseded by a newer one, or by reset(), leaves no trace.
 */
export function useFormAction<K extends MethodName>(method: K): FormAction<K> {
  const client = useClient();
  const [state, setState] = useState<State<K>>({ isPending: false, error: null, variables: null });
  const latest = useRef(0);

  const run = useCallback(
    async (input: MethodInput<K>) => {
      const call = ++latest.current;
      setState({ isPending: true, error: null, variables: input });
      try {
        const output = await client.invoke(method, input);
        if (call !== latest.current) return undefined;
        setState({ isPending: false, error: null, variables: input });
        return output;
      } catch (error) {
        if (call === latest.current) setState({ isPending: false, error: error instanceof Error ? error : new Error(String(error)), variables: input });
        return undefined;
      }
    },
    [client, method],
  );

  const reset = useCallback(() => {
    latest.current++;
    setState({ isPending: false, error: null, variables: null });
  }, []);

  return { ...state, run, reset };
}
