/**
 * The split between the SQL and its result: the share of the height the top (the SQL) takes. It is
 * kept between the bounds so neither side can be dragged shut, and remembered across reports.
 */
export const SPLIT_MIN = 0.2;
export const SPLIT_MAX = 0.8;
export const SPLIT_DEFAULT = 0.45;
const STEP = 0.05;

export function clampSplit(fraction: number): number {
  if (!Number.isFinite(fraction)) return SPLIT_DEFAULT;
  return Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, fraction));
}

/** Where the divider goes for a pointer at `y` over a box from `top` of height `height`. */
export function splitAt(y: number, top: number, height: number): number {
  return height > 0 ? clampSplit((y - top) / height) : SPLIT_DEFAULT;
}

/** The divider moved by a key, as a window splitter is: arrows step, Home and End go to the ends; null for other keys. */
export function splitByKey(fraction: number, key: string): number | null {
  switch (key) {
    case 'ArrowUp':
      return clampSplit(fraction - STEP);
    case 'ArrowDown':
      return clampSplit(fraction + STEP);
    case 'Home':
      return SPLIT_MIN;
    case 'End':
      return SPLIT_MAX;
    default:
      return null;
  }
}

/** A remembered split as stored (text), or the default when there is none or it is not a number. */
export function parseSplit(stored: string | null): number {
  if (stored === null || stored.trim() === '') return SPLIT_DEFAULT;
  return clampSplit(Number(stored));
}
