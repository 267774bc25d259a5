import { rtScript } from './rt-testing.js';

/** `npm run test:rt` brings RT up first; this makes a lone `vitest -c vitest.rt.config.ts` do the same (idempotent). */
export default function setup(): void {
  process.stdout.write(rtScript('up'));
}
