/**
 * The one Content-Security-Policy both shells serve: no remote code, no plugins, no framing, and the
 * renderer may only talk to the origin it came from. Styles allow inline because Mantine writes its
 * theme variables into a <style> element at runtime; scripts never do.
 */
export const CONTENT_SECURITY_POLICY = [
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
].join('; ');
