import { findDocroots } from './docroots/find-docroots.js';
import type { PhpProbes } from './handlers.js';
import { probeHeads } from './heads/probe-heads.js';
import { scanIncludes } from './include-scan/include-scan.js';
import { readMemoryPicture } from './memory/read-memory-picture.js';
import { watchMemory } from './watch/watch-memory.js';

/** The probes behind the PHP tab's methods, as the php capability's modules implement them. */
export const defaultPhpProbes: PhpProbes = {
  memory: (remote, server, options) => readMemoryPicture(remote, server, options),
  docroots: (remote, server) => findDocroots(remote, server),
  scan: (remote, server, docroots, limits) => scanIncludes(remote, server, { docroots: [...docroots], maxFiles: limits.maxFiles, maxBytes: limits.maxBytes, timeS: limits.timeS }),
  heads: (remote, server, url, { viaPhp, limits }) => probeHeads(remote, server, { url: url.text, viaPhp, maxBytes: limits.maxBytes, timeS: limits.timeS }),
  watch: (remote, server, options) => watchMemory(remote, server, options),
};
