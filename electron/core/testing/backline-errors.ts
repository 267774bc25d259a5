import { BacklineError } from '../../../shared/errors.js';

/** The BacklineError a call throws; anything else (or nothing) fails the test. */
export function thrown(fn: () => unknown): BacklineError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BacklineError) return error;
    throw error;
  }
  throw new Error('expected a BacklineError');
}

/** The BacklineError a promise rejects with; anything else (or success) fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<BacklineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BacklineError) return error;
    throw error;
  }
  throw new Error('expected a BacklineError');
}
