import { BacklineError } from '../../shared/errors.js';

/**
 * The URL of a request, from its target. Only origin-form targets (`/path?query`) are served: an
 * absolute URL, an authority or `*` is refused, and whatever follows the first `/` stays the path
 * (`//evil.example` is a path here, never a host).
 */
export function requestUrl(target: string | undefined): URL {
  if (target?.startsWith('/')) {
    try {
      return new URL(`http://127.0.0.1${target}`);
    } catch {
      // Falls through to the refusal below.
    }
  }
  throw new BacklineError('VALIDATION_FAILED', `"${(target ?? '').slice(0, 100)}" is not a path Backline serves.`, {
    hint: 'Open the URL Backline printed when it started.',
  });
}

/** decodeURIComponent, or null for a malformed % escape (which names nothing Backline has). */
export function decodePath(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
