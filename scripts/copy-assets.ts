// tsc compiles only TypeScript: the files the built core reads at run time (shipped reports, the
// source schema) are copied next to their compiled modules, keeping the same relative paths.
import { cpSync, existsSync } from 'node:fs';

const assets = ['electron/core/reporting/reports/shipped', 'electron/core/reporting/source/schema.sql'];
for (const path of assets) {
  if (existsSync(path)) cpSync(path, `build/${path}`, { recursive: true });
}
