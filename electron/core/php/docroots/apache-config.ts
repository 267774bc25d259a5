/**
 * Reads Apache's view of its virtual hosts: `apache2ctl -S` (`httpd -S`, `-D DUMP_VHOSTS`) lists each
 * vhost with its names and the `(file:line)` it starts at, and the main DocumentRoot; the vhosts' own
 * DocumentRoot lines are not in it, so the docroots script also prints, per vhost file, the directive
 * lines that matter (`grep -n`: <VirtualHost>, DocumentRoot, ServerName/Alias, SetHandler, ProxyPassMatch).
 */

export interface ApacheVhost {
  /** `*:80`, `192.0.2.10:443`. */
  address: string;
  names: string[];
  file: string;
  line: number;
  isDefault: boolean;
}

export interface ApacheVhostDump {
  vhosts: ApacheVhost[];
  serverRoot: string | null;
  /** `Main DocumentRoot: "/var/www/html"`: the server's own, for requests no vhost takes. */
  mainDocumentRoot: string | null;
  /** Apache's own messages (AH00558: Could not reliably determine...). */
  messages: string[];
  unparsed: string[];
}

const known = [
  /^VirtualHost configuration:$/,
  /^wildcard NameVirtualHosts and _default_ servers:$/,
  /^Syntax OK$/,
  /^(Main ErrorLog|PidFile|Mutex [^:]+|Define|User|Group|ServerRoot|Main DocumentRoot|Main ServerName|Listen|ErrorLog):/,
  /^No virtual hosts/,
];

/** Parses `apache2ctl -S` or `-D DUMP_VHOSTS` output (stdout and stderr together). */
export function parseApacheVhosts(output: string): ApacheVhostDump {
  const dump: ApacheVhostDump = { vhosts: [], serverRoot: null, mainDocumentRoot: null, messages: [], unparsed: [] };
  let address: string | null = null;
  const byPlace = new Map<string, ApacheVhost>();
  const add = (addr: string, name: string, file: string, line: number, isDefault: boolean): ApacheVhost => {
    const key = `${addr} ${file}:${line}`;
    const existing = byPlace.get(key);
    if (existing) {
      if (!existing.names.includes(name)) existing.names.push(name);
      existing.isDefault ||= isDefault;
      return existing;
    }
    const vhost: ApacheVhost = { address: addr, names: [name], file, line, isDefault };
    byPlace.set(key, vhost);
    dump.vhosts.push(vhost);
    return vhost;
  };
  let last: ApacheVhost | null = null;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+:\d+|\*|_default_:\d+)\s+is a NameVirtualHost$/.exec(line))) {
      address = m[1]!;
      last = null;
    } else if ((m = /^default server (\S+) \((.+):(\d+)\)$/.exec(line)) && address) {
      last = add(address, m[1]!, m[2]!, Number(m[3]), true);
    } else if ((m = /^port (\d+) namevhost (\S+) \((.+):(\d+)\)$/.exec(line)) && address) {
      last = add(address, m[2]!, m[3]!, Number(m[4]), false);
    } else if ((m = /^(?:wild )?alias (\S+)$/.exec(line)) && last) {
      if (!last.names.includes(m[1]!)) last.names.push(m[1]!);
    } else if ((m = /^(\S+:\d+)\s+(\S+) \((.+):(\d+)\)$/.exec(line))) {
      // An address with a single vhost: named on the address's own line.
      address = null;
      last = add(m[1]!, m[2]!, m[3]!, Number(m[4]), true);
    } else if ((m = /^ServerRoot: "(.*)"$/.exec(line))) {
      dump.serverRoot = m[1]!;
    } else if ((m = /^Main DocumentRoot: "(.*)"$/.exec(line))) {
      dump.mainDocumentRoot = m[1]!;
    } else if (/^AH\d{5}:/.test(line) || /^\[.*\] \[.*\]/.test(line)) {
      dump.messages.push(line);
    } else if (!known.some((k) => k.test(line))) {
      dump.unparsed.push(raw);
    }
  }
  return dump;
}

export interface ApacheFileDirective {
  line: number;
  name: string;
  /** The arguments, quotes removed. */
  args: string[];
  text: string;
}

/** `grep -n` output of one file's directive lines (`12:    DocumentRoot "/var/www/shop"`). */
export function parseApacheDirectiveLines(output: string): { directives: ApacheFileDirective[]; unparsed: string[] } {
  const directives: ApacheFileDirective[] = [];
  const unparsed: string[] = [];
  for (const raw of output.split('\n')) {
    if (raw.trim() === '') continue;
    const m = /^(\d+):\s*(<\/?[A-Za-z]+|[A-Za-z_]+)\s*(.*?)\s*>?\s*$/.exec(raw);
    if (!m) {
      unparsed.push(raw);
      continue;
    }
    const args = [...m[3]!.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((a) => a[1] ?? a[2] ?? '');
    directives.push({ line: Number(m[1]), name: m[2]!.toLowerCase(), args, text: raw.slice(raw.indexOf(':') + 1).trim() });
  }
  return { directives, unparsed };
}

export interface ApacheRoot {
  path: string;
  file: string;
  line: number;
  directive: string;
  /** The vhost (its first line) the DocumentRoot is inside; null outside any. */
  vhostLine: number | null;
  serverNames: string[];
  phpHandlers: string[];
}

/** The DocumentRoots of one file, each with the vhost it is inside (and that vhost's names and PHP handler). */
export function apacheRootsOf(file: string, directives: ApacheFileDirective[]): ApacheRoot[] {
  const roots: ApacheRoot[] = [];
  let vhost: { line: number; names: string[]; handlers: string[]; roots: ApacheRoot[] } | null = null;
  const outside: ApacheRoot[] = [];
  for (const d of directives) {
    if (d.name === '<virtualhost') {
      vhost = { line: d.line, names: [], handlers: [], roots: [] };
    } else if (d.name === '</virtualhost') {
      if (vhost) for (const root of vhost.roots) roots.push({ ...root, serverNames: vhost.names, phpHandlers: vhost.handlers });
      vhost = null;
    } else if (d.name === 'documentroot' && d.args[0]) {
      const root: ApacheRoot = { path: d.args[0], file, line: d.line, directive: d.text, vhostLine: vhost?.line ?? null, serverNames: [], phpHandlers: [] };
      (vhost ? vhost.roots : outside).push(root);
    } else if ((d.name === 'servername' || d.name === 'serveralias') && vhost) {
      vhost.names.push(...d.args);
    } else if (vhost && ((d.name === 'sethandler' && /proxy:|php/i.test(d.args.join(' '))) || (d.name === 'proxypassmatch' && /fcgi:|\.php/i.test(d.args.join(' '))))) {
      vhost.handlers.push(d.args.join(' '));
    }
  }
  // A vhost never closed in the lines printed: keep its roots rather than lose them.
  if (vhost) for (const root of vhost.roots) roots.push({ ...root, serverNames: vhost.names, phpHandlers: vhost.handlers });
  return [...outside, ...roots];
}
