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

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), cspMeta()],
  build: { outDir: '../build/renderer', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
