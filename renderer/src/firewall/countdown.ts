/** Whole seconds from `now` until an ISO deadline, never below zero; null when there is no deadline. */
export function secondsUntil(deadline: string | null, now: number): number | null {
  if (deadline === null) return null;
  const at = Date.parse(deadline);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** A countdown as people read it: `42 s` (up to 99 s, so a 60 s window counts in seconds), `2 m 05 s`, `1 h 00 m`. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 100) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** How urgent the countdown looks: calm while there is time, red in the last ten seconds. */
export function countdownColor(seconds: number): 'blue' | 'orange' | 'red' {
  if (seconds <= 10) return 'red';
  if (seconds <= 30) return 'orange';
  return 'blue';
}
