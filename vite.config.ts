import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from './shared/csp.js';

/** Both shells load the same index.html, so the CSP travels in it as well as in the web host's header. */
const cspMeta = (): Plugin => ({
  name: 'backline-csp',
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY_META }, injectTo: 'head-prepend' },
  ],
});

/**
 * The window's frame (the header bar with the name) is in the page itself, so the browser paints it as
 * soon as the page and its styles are in, while the scripts are still compiling; React replaces it with
 * the real one on its first render. Hidden from assistive technology: it is a picture of the frame, with
 * nothing to use. Dark until Mantine says otherwise when the system prefers dark, as Mantine's "auto" does.
 */
const BOOT_FRAME = '<div class="bl-boot" aria-hidden="true"><div class="bl-boot-header">Backline</div></div>';
const BOOT_STYLE = `
.bl-boot-header { height: 44px; box-sizing: border-box; display: flex; align-items: center; padding: 0 10px;
  border-bottom: 1px solid #dee2e6; font: 700 14px system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Helvetica Neue", Arial, sans-serif; }
@media (prefers-color-scheme: dark) {
  html:not([data-mantine-color-scheme]) body { background: #242424; color: #c9c9c9; }
  .bl-boot-header { border-bottom-color: #424242; }
}`;
const bootFrame = (): Plugin => ({
  name: 'backline-boot-frame',
  transformIndexHtml: {
    order: 'post',
    handler: (html) => {
      if (!html.includes('<div id="root"></div>')) throw new Error('renderer/index.html has no empty <div id="root"></div> to put the boot frame in.');
      return {
        html: html.replace('<div id="root"></div>', `<div id="root">${BOOT_FRAME}</div>`),
        tags: [{ tag: 'style', children: BOOT_STYLE, injectTo: 'head' }],
      };
    },
  },
});

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), cspMeta(), bootFrame()],
  build: { outDir: '../build/renderer', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
