import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';
import { z } from 'zod';

/** The main window's size, position and maximised state, kept in the data folder between starts. */
export interface WindowState {
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { bounds: { width: 1280, height: 820 }, maximized: false };
const MIN = { width: 640, height: 480 };

const stateSchema = z.object({
  bounds: z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().positive(), height: z.number().int().positive() }),
  maximized: z.boolean(),
});

const overlaps = (a: Rectangle, b: Rectangle): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * The state saved last time, fitted to the screens there are now: a window whose place is on no
 * screen (a monitor unplugged since) keeps its size and lets the OS place it. A missing or damaged
 * file gives the default.
 */
export function loadWindowState(file: string, workAreas: readonly Rectangle[]): WindowState {
  let saved: z.infer<typeof stateSchema>;
  try {
    saved = stateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
  const largest = workAreas.reduce<Rectangle | undefined>((a, b) => (a && a.width * a.height >= b.width * b.height ? a : b), undefined);
  const width = Math.max(MIN.width, largest ? Math.min(saved.bounds.width, largest.width) : saved.bounds.width);
  const height = Math.max(MIN.height, largest ? Math.min(saved.bounds.height, largest.height) : saved.bounds.height);
  const placed = { x: saved.bounds.x, y: saved.bounds.y, width, height };
  const visible = workAreas.some((area) => overlaps(placed, area));
  return { bounds: visible ? placed : { width, height }, maximized: saved.maximized };
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  // Written whole then renamed: a crash mid-write leaves the previous state, not half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Saves the window's state when it closes: its normal bounds (not the maximised ones) and whether it was maximised. */
export function trackWindowState(win: Pick<BrowserWindow, 'on' | 'getNormalBounds' | 'isMaximized'>, file: string): void {
  win.on('close', () => {
    try {
      saveWindowState(file, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (error) {
      console.error(`Backline could not keep the window's size and place in ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
