import { useEffect, useRef, useState } from 'react';
import { emptyBlockForm, type BlockAddress, type BlockFormValues } from './blockForm.js';

/**
 * "Block this head" from the PHP tab: the Firewall tab opens with the block form filled in (the host,
 * that address picked, the port from the URL). The request waits here until that ticket's Firewall
 * tab takes it, so it works whether or not the tab was open.
 */
export interface BlockPrefill {
  ticketId: string;
  serverId: number;
  /** The host the site fetches from (resolved on the server again, so every address is listed). */
  host: string;
  /** The head to block, canonical. */
  address: string;
  /** Every address the server resolved the host to for the head probe (the form lists them all; the others stay reachable). */
  addresses: BlockAddress[];
  /**
   * The other addresses that answered the same bad way (the same head's other family, usually): picked too,
   * or the site would go on reaching the head over them, and they would be "checked to still answer".
   */
  alsoMarked: string[];
  /** The URL's port (its scheme's default when it names none). */
  port: number | null;
  /** Why this head: its answer, as the PHP tab showed it. */
  reason: string;
  /** Tells two requests for the same head apart (the form starts again for each). */
  seq: number;
}

export class BlockHandoff {
  private pending: BlockPrefill | null = null;
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  request(prefill: Omit<BlockPrefill, 'seq'>): BlockPrefill {
    this.pending = { ...prefill, seq: ++this.seq };
    this.listeners.forEach((l) => l());
    return this.pending;
  }

  /** Takes the pending request if it is for this ticket. */
  take(ticketId: string): BlockPrefill | null {
    if (this.pending?.ticketId !== ticketId) return null;
    const taken = this.pending;
    this.pending = null;
    return taken;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly current = (): BlockPrefill | null => this.pending;
}

/** One per window, like the route: the PHP tab asks, the Firewall tab takes. */
export const blockHandoff = new BlockHandoff();

/** The prefill this ticket's Firewall tab took last (null before any); `onTake` runs once per request taken. */
export function useBlockPrefill(ticketId: string, onTake: (prefill: BlockPrefill) => void, handoff: BlockHandoff = blockHandoff): BlockPrefill | null {
  const [taken, setTaken] = useState<BlockPrefill | null>(null);
  const latest = useRef(onTake);
  useEffect(() => {
    latest.current = onTake;
  });
  useEffect(() => {
    const takeIfMine = () => {
      const prefill = handoff.take(ticketId);
      if (!prefill) return;
      setTaken(prefill);
      latest.current(prefill);
    };
    // A request made before this tab mounted (the usual case: the PHP tab asked, then navigated here), then any later one.
    const unsubscribe = handoff.subscribe(takeIfMine);
    takeIfMine();
    return unsubscribe;
  }, [handoff, ticketId]);
  return taken;
}

/** The form as the prefill fills it: the host as the target, the URL's port, tcp (HTTP). */
export function prefillValues(prefill: BlockPrefill | null): BlockFormValues {
  const empty = emptyBlockForm();
  if (!prefill) return empty;
  return { ...empty, target: prefill.host, port: prefill.port ?? '', protocol: 'tcp' };
}

/** Which of the addresses the server resolved are picked: the head asked for and those that answered like it, if the server resolves the host to them. */
export function prefillPicks(prefill: Pick<BlockPrefill, 'address' | 'alsoMarked'>, addresses: readonly BlockAddress[]): string[] {
  const wanted = new Set([prefill.address, ...prefill.alsoMarked]);
  return addresses.filter((a) => wanted.has(a.address)).map((a) => a.address);
}

/** The form's resolved addresses from the prefill: the head probe's own resolution on the same server (null for an address target). */
export function prefillResolved(prefill: BlockPrefill | null): { target: string; addresses: BlockAddress[] } | null {
  if (!prefill || prefill.addresses.length === 0) return null;
  return { target: prefill.host, addresses: prefill.addresses };
}
