import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { decodePath } from './request-url.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** What a served file may be cached for: the page and anything unhashed are asked for at every load. */
export const NO_STORE = 'no-store';
export const IMMUTABLE = 'private, max-age=31536000, immutable';

/**
 * Vite names every built asset after its content (`assets/<name>-<hash>.<ext>`, the hash 8 characters
 * of [A-Za-z0-9_-]): such a file never changes under its name, so the browser may keep it for a year
 * and not even revalidate it. A new build has new names, and index.html, which names them, is never
 * stored: a restart with a new build is seen at the next load.
 */
export function cacheControlFor(relativePath: string): string {
  return /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.(?:js|css|woff2|svg|png)$/.test(relativePath) ? IMMUTABLE : NO_STORE;
}

/** Reads a file of the built renderer: extensionless paths are app routes (index.html); anything outside the folder, of an unknown type or with a malformed % escape is null. */
export async function readRendererFile(root: string, urlPath: string): Promise<{ body: Buffer; type: string; cacheControl: string } | null> {
  const decoded = decodePath(urlPath);
  if (decoded === null) return null;
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const file = join(root, extname(relative) === '' ? 'index.html' : relative);
  if (!file.startsWith(root + sep)) return null;
  const type = contentTypes[extname(file)];
  if (!type) return null;
  try {
    return { body: await readFile(file), type, cacheControl: cacheControlFor(file.slice(root.length + 1).split(sep).join('/')) };
  } catch {
    return null;
  }
}
