import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { BacklineError } from '../../../shared/errors.js';
import { isErrorCode, notifyError } from './errors.js';

/**
 * One place announces failures, so no view can forget to. BacklineErrors are answers, not flukes:
 * retrying a validation error or a missing ticket only delays the message.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.meta?.quietNotFound === true && isErrorCode(error, 'NOT_FOUND')) return;
        notifyError(error);
      },
    }),
    // A form that shows its own errors beside its fields says it once: no toast on top (meta.formShowsErrors).
    mutationCache: new MutationCache({ onError: (error, _vars, _ctx, mutation) => mutation.meta?.formShowsErrors !== true && notifyError(error) }),
    defaultOptions: {
      queries: {
        retry: (failures, error) => !(error instanceof BacklineError) && failures < 2,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}
