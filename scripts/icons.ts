// The icon set electron-builder packages, made from assets/icon.svg: PNGs for Linux, ICNS for macOS,
// ICO for Windows. Generated (into build/icons, electron-builder's buildResources) rather than kept
// in git, so the SVG is the one source.
//
//   npx tsx scripts/icons.ts [outDir]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ICON_SOURCE = join(root, 'assets', 'icon.svg');

/** The SVG drawn at size × size pixels, as a PNG. */
export function renderPng(svg: string, size: number): Buffer {
  return Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng());
}

export interface IconSet {
  /** png/<N>x<N>.png for each size, the layout electron-builder reads for Linux. */
  pngDir: string;
  icns: string;
  ico: string;
}

export function writeIcons(outDir: string, svg: string = readFileSync(ICON_SOURCE, 'utf8')): IconSet {
  const pngDir = join(outDir, 'png');
  mkdirSync(pngDir, { recursive: true });
  for (const size of ICON_SIZES) writeFileSync(join(pngDir, `${size}x${size}.png`), renderPng(svg, size));
  const large = renderPng(svg, 1024);
  // The large PNG scaled down by png2icons (bicubic) into each size the formats hold.
  const icns = png2icons.createICNS(large, png2icons.BICUBIC, 0);
  const ico = png2icons.createICO(large, png2icons.BICUBIC, 0, true, true);
  if (!icns || !ico) throw new Error(`The icon set could not be made from ${ICON_SOURCE}: png2icons refused its 1024×1024 rendering.`);
  const set = { pngDir, icns: join(outDir, 'icon.icns'), ico: join(outDir, 'icon.ico') };
  writeFileSync(set.icns, icns);
  writeFileSync(set.ico, ico);
  writeFileSync(join(outDir, 'icon.png'), renderPng(svg, 512));
  return set;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(root, 'build', 'icons'));
  const set = writeIcons(outDir);
  console.log(`Icons written to ${outDir}: ${ICON_SIZES.length} PNGs in ${set.pngDir}, ${set.icns}, ${set.ico}`);
}
