import { canonicalIp } from '../../../shared/domain/address.js';
import { headAnswer } from '../../../shared/domain/php-findings.js';
import type { HeadProbeResult } from '../../../shared/domain/php-scan.js';

/** What one head answered the last head probe (PHP tab), shown beside its address in the block form. */
export interface HeadAnswerView {
  /** "400, over 8 MiB (the cap cut it; Content-Length 64 MiB), 900 ms" */
  answer: string;
  /** The probe marked it as unlike the others. */
  marked: boolean;
  /** Why, for people ("answers 400 while the others answer 200"); empty when not marked. */
  reasons: string;
}

/** Each probed head's answer, by canonical address; empty when there was no probe of this host from this server. */
export function headAnswersByAddress(probe: HeadProbeResult | null): Map<string, HeadAnswerView> {
  const byAddress = new Map<string, HeadAnswerView>();
  for (const head of probe?.heads ?? []) {
    byAddress.set(canonicalIp(head.address) ?? head.address, {
      answer: headAnswer(head),
      marked: head.marks.length > 0,
      reasons: head.marks.map((m) => m.reason).join('; '),
    });
  }
  return byAddress;
}
