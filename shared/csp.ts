/**
 * The one Content-Security-Policy both shells serve: no remote code, no plugins, no framing, and the
 * renderer may only talk to the origin it came from. Styles allow inline because Mantine writes its
 * theme variables into a <style> element at runtime; scripts never do.
 */
const directives = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
];

export const CONTENT_SECURITY_POLICY = directives.join('; ');

/** A <meta> CSP cannot carry frame-ancestors (browsers ignore it there); the header and Electron's window rules cover framing. */
export const CONTENT_SECURITY_POLICY_META = directives.filter((d) => !d.startsWith('frame-ancestors')).join('; ');
