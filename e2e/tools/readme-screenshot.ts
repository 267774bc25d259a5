import { expect, test } from '../fixtures.js';
import { createTicket } from '../steps.js';

/** Takes docs/screenshot.png from the running app: `npm run screenshot`. Not part of the test run. */
test('README screenshot', async ({ page, backline }) => {
  await page.setViewportSize({ width: 1400, height: 860 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await backline.open(page);
  await createTicket(page, 'TKT-48102', 'Kernel panics in quota code, no dump arrives', 'Globex Hosting');
  await page.goto(`${backline.running.origin}/#/`);
  await createTicket(page, 'TKT-48213', 'Site down every few hours: PHP eats all memory', 'Acme Widgets');
  await page.getByRole('textbox', { name: 'Note', exact: true }).fill(
    [
      '## What happens',
      '',
      '`index.php` includes `http://feeds.example.net/widget.php`. The name resolves to three web heads;',
      'one of them answers **400 Bad Request** with a 2 GB body, and PHP reads it all into memory.',
      '',
      '## Next',
      '',
      '- [x] Reproduce against each head on its own',
      '- [ ] Block outbound to the bad head until the remote site is fixed',
      '- [ ] Tell the customer to cache the include instead of fetching it per request',
    ].join('\n'),
  );
  await expect(page.getByRole('status').filter({ hasText: /^Saved/ })).toBeVisible();
  await page.getByText('Preview', { exact: true }).click();
  await expect(page.getByRole('heading', { name: 'What happens' })).toBeVisible();
  await page.screenshot({ path: 'docs/screenshot.png' });
});
