import type { Shell } from 'electron';

/** Only web pages leave the app, to the system browser: no file:, javascript:, smb:, custom schemes. */
export function isExternalLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

/** Opens a web link in the system browser; anything else is refused (false), never opened in the app. */
export function openExternalLink(shell: Pick<Shell, 'openExternal'>, url: string): boolean {
  if (!isExternalLink(url)) return false;
  shell.openExternal(url).catch((error: unknown) => {
    console.error(`Backline could not open ${url} in the system browser: ${error instanceof Error ? error.message : String(error)}`);
  });
  return true;
}
