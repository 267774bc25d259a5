import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { FuseV1Options, FuseVersion } from '@electron/fuses';
// The package's entry first: its modules import each other in a cycle that only resolves from there.
import { PlatformPackager } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import * as fileMatcher from 'app-builder-lib/out/fileMatcher.js';
import type { Configuration } from 'electron-builder';
import { DebugLogger } from 'builder-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../core/app-root.js';
import { tempDir } from '../core/testing/temp-dir.js';

/**
 * The package as electron-builder would make it, checked without Electron's downloads: the config is
 * loaded and validated by electron-builder's own code (its schema check), and the file list comes from
 * its own matchers applied to this repository's files plus what `npm run build` writes.
 */
const root = appRoot();
const CONFIG_FILE = 'electron-builder.config.ts';
let config: Configuration;

const noMacros = (text: string): string => text;
const { getFileMatchers } = fileMatcher;
/** electron-builder's matcher for the app's own files (marked internal, so missing from its typings). */
const { getMainFileMatchers } = fileMatcher as unknown as {
  getMainFileMatchers(this: void, appDir: string, destination: string, macros: (s: string) => string, platformOptions: object, packager: object, outDir: string, isElectronCompile: boolean): fileMatcher.FileMatcher[];
};

/** What `npm run build` writes: tsc's output for electron/ and shared/ (tests too, as a stale build may hold them), the renderer, the icons. */
function builtFiles(sources: string[]): string[] {
  const built = sources.flatMap((file) => {
    const match = /^((?:electron|shared)\/.+)\.(ts|cts)$/.exec(file);
    if (!match) return [];
    const js = `build/${match[1]}.${match[2] === 'cts' ? 'cjs' : 'js'}`;
    return [js, `${js}.map`];
  });
  return [
    ...built,
    'build/electron/core/reporting/reports/shipped/ticket-volume.sql',
    'build/electron/core/reporting/source/schema.sql',
    'build/renderer/index.html',
    'build/renderer/assets/index-3f2a.js',
    'build/renderer/assets/index-3f2a.css',
    'build/icons/icon.ico',
    'build/icons/png/512x512.png',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/better-sqlite3/lib/index.js',
  ];
}

/** Walks a tree the way electron-builder copies it: a folder the filter refuses is not entered. */
function walk(dir: string, filter: (file: string, stat: Stats) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    if (!filter(path, stat)) return [];
    return stat.isDirectory() ? walk(path, filter) : [path];
  });
}

const tree = tempDir('backline-package-');
let packaged: string[];
let everything: string[];

beforeAll(async () => {
  config = await getConfig(root, CONFIG_FILE, null);
  // A copy of the project's file names (empty files), as a clone after `npm run build` would hold them.
  const sources = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  everything = [...sources, ...builtFiles(sources)];
  for (const file of everything) {
    mkdirSync(dirname(join(tree.path, file)), { recursive: true });
    writeFileSync(join(tree.path, file), '');
  }
  const info = { projectDir: tree.path, buildResourcesDir: resolve(tree.path, config.directories!.buildResources!), config, isPrepackedAppAsar: false, debugLogger: { isEnabled: false } };
  const outDir = resolve(tree.path, config.directories!.output!);
  const [main] = getMainFileMatchers(tree.path, '/app', noMacros, config.linux ?? {}, { info }, outDir, false);
  packaged = walk(tree.path, main!.createFilter()).map((file) => relative(tree.path, file));
});
afterAll(() => tree.remove());

describe('the electron-builder configuration', () => {
  it("passes electron-builder's own validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The check is real: a misspelled option is refused by the same call.
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } } as never, new DebugLogger(false))).rejects.toThrow(/configuration.electronFuses/);
  });

  it('names the app and its targets: AppImage and deb, dmg for x64 and arm64, NSIS', () => {
    expect(config).toMatchObject({ appId: 'net.backline.workbench', productName: 'Backline' });
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.protocols).toEqual([{ name: 'Backline ticket link', schemes: ['backline'] }]);
  });

  it('packages the built main, preload and renderer, and the files the core reads', () => {
    for (const file of [
      'package.json',
      'build/electron/main.js',
      'build/electron/preload.cjs',
      'build/electron/core/reporting/reports/runner-process.js',
      'build/shared/bridge.js',
      'build/renderer/index.html',
      'build/renderer/assets/index-3f2a.js',
      'build/electron/core/reporting/reports/shipped/ticket-volume.sql',
      'build/electron/core/reporting/source/schema.sql',
    ]) {
      expect(packaged, file).toContain(file);
    }
  });

  it('packages no TypeScript source, test, source map, e2e, lab, benchmark or script', () => {
    expect(packaged.filter((f) => /\.(ts|tsx|cts|mts)$/.test(f))).toEqual([]);
    expect(packaged.filter((f) => /\.test\.|\/testing\//.test(f))).toEqual([]);
    expect(packaged.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(packaged.filter((f) => !f.startsWith('build/') && f !== 'package.json')).toEqual([]);
    expect(packaged.filter((f) => f.startsWith('build/icons/'))).toEqual([]);
    // The tree did hold them, so the filter had something to leave out.
    expect(everything.some((f) => f.startsWith('e2e/lab/'))).toBe(true);
    expect(everything.some((f) => f.startsWith('build/electron/') && f.endsWith('.test.js'))).toBe(true);
    expect(everything.some((f) => f.startsWith('scripts/bench/'))).toBe(true);
  });

  it("unpacks better-sqlite3's native module from the asar, and nothing of ours", () => {
    const [unpack] = getFileMatchers(config, 'asarUnpack', '/app', { macroExpander: noMacros, customBuildOptions: {}, globalOutDir: resolve(tree.path, 'dist'), defaultSrc: tree.path })!;
    const filter = unpack!.createFilter();
    const file = (path: string) => filter(join(tree.path, path), statSync(join(tree.path, path)));
    expect(file('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(file('node_modules/better-sqlite3/lib/index.js')).toBe(false);
    expect(file('build/electron/main.js')).toBe(false);
    expect(config.npmRebuild).toBe(true);
  });

  it('flips the fuses the issue lists, as electron-builder hands them to @electron/fuses', async () => {
    const fuses = await (PlatformPackager.prototype as unknown as { generateFuseConfig(f: unknown): Promise<Record<string, unknown>> }).generateFuseConfig.call({}, config.electronFuses);
    expect(fuses).toEqual({
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: undefined,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    });
    expect(config.asar).toBe(true);
  });
});

describe('the icon set (scripts/icons.ts)', () => {
  it('draws every PNG size from assets/icon.svg, and the ICNS and ICO from it', async () => {
    const { ICON_SIZES, writeIcons } = await import('../../scripts/icons.js');
    const out = tempDir('backline-icons-');
    try {
      const set = writeIcons(out.path);
      for (const size of ICON_SIZES) {
        const png = readFileSync(join(set.pngDir, `${size}x${size}.png`));
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]); // IHDR width, height
      }
      const icns = readFileSync(set.icns);
      expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
      expect(icns.readUInt32BE(4)).toBe(icns.length);
      const ico = readFileSync(set.ico);
      expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]); // reserved, type 1 = icon
      expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(5); // images, up to 256×256
      // The config points at these files, in electron-builder's resources folder.
      expect(resolve(root, config.mac!.icon!)).toBe(resolve(root, 'build/icons/icon.icns'));
      expect(resolve(root, config.win!.icon!)).toBe(resolve(root, 'build/icons/icon.ico'));
      expect(resolve(root, config.linux!.icon!)).toBe(resolve(root, 'build/icons/png'));
    } finally {
      out.remove();
    }
  });
});
