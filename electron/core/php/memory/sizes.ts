/** PHP's shorthand sizes ("128M", "1G", "512K", "-1", plain bytes) in bytes; null for no limit or unreadable. */
export function parsePhpSize(value: string | null): number | null {
  if (value === null) return null;
  const match = /^\s*(-?\d+)\s*([kKmMgG]?)\s*$/.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  if (n < 0) return null;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return n * factor;
}

/** "87680kB" / "87680 kB" → bytes. */
export function kibToBytes(text: string | undefined): number | null {
  if (text === undefined) return null;
  const match = /^(\d+)\s*kB$/i.exec(text.trim());
  return match ? Number(match[1]) * 1024 : null;
}
