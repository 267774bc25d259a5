import { notifications } from '@mantine/notifications';
import { BacklineError, describeError, type WireError } from '../../../shared/errors.js';

function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value && typeof value.message === 'string';
}

/** Every failure reaching the UI becomes a WireError: code, message, hint, issues; never a stack. */
export function toWireError(error: unknown): WireError {
  if (error instanceof BacklineError) return error.toWire();
  if (isWireError(error)) return error;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : 'Something went wrong.' };
}

export function isErrorCode(error: unknown, code: WireError['code']): boolean {
  return error instanceof BacklineError && error.code === code;
}

export function notifyError(error: unknown, title = 'Backline could not do that'): void {
  notifications.show({ color: 'red', title, message: describeError(toWireError(error)), autoClose: 8000 });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 3000 });
}
