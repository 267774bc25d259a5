import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { parseSplit, splitAt, splitByKey } from './split.js';
import { windowStorage } from './storage.js';

const STORAGE_KEY = 'backline.reports.split';

function remembered(): number {
  return parseSplit(windowStorage()?.getItem(STORAGE_KEY) ?? null);
}

function remember(fraction: number): void {
  try {
    windowStorage()?.setItem(STORAGE_KEY, fraction.toFixed(3));
  } catch {
    // Full or refused storage: the split is just not remembered.
  }
}

interface Props {
  top: ReactNode;
  bottom: ReactNode;
  /** What the divider resizes, for assistive technology. */
  label: string;
}

/**
 * Two panes one above the other with a divider between them, dragged with the pointer or moved with
 * the arrow keys (a window splitter, as ARIA describes one). The split is remembered.
 */
export function SplitPane({ top, bottom, label }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [fraction, setFraction] = useState(remembered);
  const dragging = useRef(false);

  const move = (next: number) => {
    setFraction(next);
    remember(next);
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    dragging.current = true;
    e.preventDefault();
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const rect = box.current?.getBoundingClientRect();
    if (!dragging.current || !rect) return;
    setFraction(splitAt(e.clientY, rect.top, rect.height));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!dragging.current) return;
    dragging.current = false;
    e.currentTarget.releasePointerCapture(e.pointerId);
    remember(fraction);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = splitByKey(fraction, e.key);
    if (next === null) return;
    e.preventDefault();
    move(next);
  };

  return (
    <div ref={box} className="bl-split" style={{ gridTemplateRows: `minmax(150px, ${fraction}fr) 10px minmax(120px, ${1 - fraction}fr)` }}>
      <div className="bl-split-pane bl-split-top">{top}</div>
      <div
        role="separator"
        aria-orientation="horizontal"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        tabIndex={0}
        className="bl-split-handle"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
        onDoubleClick={() => move(parseSplit(null))}
        title="Drag to resize (or focus and use ↑/↓); double-click to reset"
      />
      <div className="bl-split-pane bl-split-bottom">{bottom}</div>
    </div>
  );
}
