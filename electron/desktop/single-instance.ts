import type { App } from 'electron';

/**
 * One Backline per data folder: a second launch hands its arguments (a deep link, say) to the first
 * and quits. They travel as `additionalData`, since the argv Electron gives `second-instance` can be
 * rearranged by Chromium's own switches on Windows.
 */
export interface HandedOver {
  args: string[];
}

const isHandedOver = (data: unknown): data is HandedOver =>
  typeof data === 'object' && data !== null && Array.isArray((data as HandedOver).args) && (data as HandedOver).args.every((a) => typeof a === 'string');

/** True when this is the first instance; `onSecond` gets the arguments of each later launch. */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'on'>, args: string[], onSecond: (args: string[]) => void): boolean {
  const handedOver: HandedOver = { args };
  if (!app.requestSingleInstanceLock(handedOver)) return false;
  app.on('second-instance', (_event, argv, _cwd, data) => onSecond(isHandedOver(data) ? data.args : (argv ?? [])));
  return true;
}
