import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../core/testing/temp-dir.js';
import { cacheControlFor, IMMUTABLE, NO_STORE, readRendererFile } from './static-files.js';

describe('cacheControlFor', () => {
  it('lets the browser keep the hashed assets Vite builds, and nothing else', () => {
    expect(cacheControlFor('assets/index-CpNdxetv.js')).toBe(IMMUTABLE);
    expect(cacheControlFor('assets/ReportsPage-D0HSM1CT.css')).toBe(IMMUTABLE);
    expect(cacheControlFor('assets/use-Work_sp-a-Ce-9xQ_1.js')).toBe(IMMUTABLE);
    // The page names the assets: a new build must be seen at the next load.
    expect(cacheControlFor('index.html')).toBe(NO_STORE);
    // No hash, a hash of another length, or outside assets/: asked for every time.
    expect(cacheControlFor('assets/index.js')).toBe(NO_STORE);
    expect(cacheControlFor('assets/index-CpNdxet.js')).toBe(NO_STORE);
    expect(cacheControlFor('index-CpNdxetv.js')).toBe(NO_STORE);
    expect(cacheControlFor('assets/sub/index-CpNdxetv.js')).toBe(NO_STORE);
    expect(cacheControlFor('assets/index-CpNdxetv.json')).toBe(NO_STORE);
  });
});

describe('readRendererFile', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir.path, 'assets', 'index-CpNdxetv.js'), 'export {};');
  });
  afterEach(() => dir.remove());

  it('says how long each file may be kept: a hashed asset for good, the page (also under an app route) never', async () => {
    expect((await readRendererFile(dir.path, '/assets/index-CpNdxetv.js'))?.cacheControl).toBe(IMMUTABLE);
    expect((await readRendererFile(dir.path, '/'))?.cacheControl).toBe(NO_STORE);
    expect((await readRendererFile(dir.path, '/t/TKT-1'))?.cacheControl).toBe(NO_STORE);
    expect(await readRendererFile(dir.path, '/assets/missing-CpNdxetv.js')).toBeNull();
  });
});
