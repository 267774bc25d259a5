import { test as base, expect, type Page } from '@playwright/test';
import { BacklineProcess, type RunningBackline } from './backline-process.js';

interface BacklineFixture {
  process: BacklineProcess;
  running: RunningBackline;
  /** Opens the printed URL, as a user pasting it would. */
  open(page: Page): Promise<void>;
  /** Stops the host (a crash with SIGKILL) and starts it again on the same data; the URL changes. */
  restart(signal?: NodeJS.Signals): Promise<void>;
}

interface BacklineOptions {
  /** Extra environment variables for the Backline process: `test.use({ backlineEnv: {...} })`. */
  backlineEnv: Record<string, string>;
}

/** Every test gets its own Backline process and data directory. */
export const test = base.extend<{ backline: BacklineFixture } & BacklineOptions>({
  backlineEnv: [{}, { option: true }],
  backline: async ({ backlineEnv }, use) => {
    const process = new BacklineProcess(backlineEnv);
    const fixture: BacklineFixture = {
      process,
      running: await process.start(),
      async open(page) {
        await page.goto(fixture.running.url);
        await expect(page.getByRole('heading', { name: 'Backline' }).or(page.getByText('Backline').first())).toBeVisible();
      },
      async restart(signal = 'SIGKILL') {
        await process.stop(signal);
        fixture.running = await process.start();
      },
    };
    await use(fixture);
    await process.dispose();
  },
});

export { expect };
