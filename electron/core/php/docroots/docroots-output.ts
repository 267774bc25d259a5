import type { Docroot, DocrootOrigin, WebServerRead } from '../../../../shared/domain/php-scan.js';
import { apacheRootsOf, parseApacheDirectiveLines, parseApacheVhosts } from './apache-config.js';
import { parseNginxDump } from './nginx-config.js';

/**
 * Turns DOCROOTS_SCRIPT's output into docroots, each with every place it was named, plus what each web
 * server said (found, absent, failed and why). Pure: the fixtures next to this file are real outputs.
 */

export interface DocrootsReading {
  docroots: Docroot[];
  webServers: WebServerRead[];
  statements: string[];
  unparsed: string[];
}

interface Section {
  what: string;
  args: string;
  lines: string[];
}

const MARK = '@@backline ';

function sections(output: string): { sections: Section[]; stray: string[] } {
  const found: Section[] = [];
  const stray: string[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith(MARK)) {
      const rest = line.slice(MARK.length);
      const space = rest.indexOf(' ');
      const what = space < 0 ? rest : rest.slice(0, space);
      const args = space < 0 ? '' : rest.slice(space + 1);
      // stderr lines are one marker each, kept together in one section.
      const last = found.at(-1);
      if (what === 'nginx-stderr' && last?.what === 'nginx-stderr') last.lines.push(args);
      else found.push({ what, args, lines: what === 'nginx-stderr' ? [args] : [] });
    } else if (found.length > 0) {
      found.at(-1)!.lines.push(line);
    } else if (line.trim() !== '') {
      stray.push(line);
    }
  }
  return { sections: found, stray };
}

/** The last meaningful line nginx wrote to stderr when it failed: `[emerg] open() "/run/nginx.pid" failed (13: Permission denied)`. */
function nginxComplaint(stderr: string[]): string {
  const emerg = stderr.filter((l) => /\[(emerg|alert|crit)\]/.test(l)).map((l) => l.replace(/^\S+ \S+ /, '').replace(/^(\[\w+\]) \d+#\d+: /, '$1 '));
  return emerg.join('; ') || stderr.filter((l) => l.trim()).at(-1) || 'no message';
}

/** Reads the docroots script's whole output. `label` names the server in statements. */
export function readDocroots(output: string, label: string): DocrootsReading {
  const { sections: parts, stray } = sections(output);
  const unparsed = [...stray];
  const statements: string[] = [];
  const webServers: WebServerRead[] = [];
  const byPath = new Map<string, Docroot>();
  const add = (path: string, origin: DocrootOrigin, names: string[], listen: string[], handlers: string[]) => {
    const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
    let docroot = byPath.get(clean);
    if (!docroot) {
      docroot = { path: clean, serverNames: [], listen: [], phpHandlers: [], origins: [] };
      byPath.set(clean, docroot);
    }
    const merge = (into: string[], values: string[]) => {
      for (const v of values) if (!into.includes(v)) into.push(v);
    };
    merge(docroot.serverNames, names);
    merge(docroot.listen, listen);
    merge(docroot.phpHandlers, handlers);
    if (!docroot.origins.some((o) => o.file === origin.file && o.line === origin.line && o.server === origin.server)) docroot.origins.push(origin);
  };

  const get = (what: string) => parts.find((p) => p.what === what);
  // --- nginx ---
  const nginx = get('nginx');
  if (get('nginx-absent')) {
    webServers.push({ server: 'nginx', command: 'nginx -T', state: 'absent', detail: null });
  } else if (nginx) {
    const exit = Number(get('nginx-exit')?.args ?? NaN);
    const stderr = get('nginx-stderr')?.lines ?? [];
    const dump = nginx.lines.join('\n');
    const parsed = parseNginxDump(dump);
    unparsed.push(...parsed.unparsed.map((l) => `nginx -T: ${l}`));
    if (exit !== 0 || parsed.files.length === 0) {
      const complaint = nginxComplaint(stderr);
      webServers.push({ server: 'nginx', command: `${nginx.args} -T`, state: 'failed', detail: complaint });
      statements.push(
        `nginx is installed on ${label} (${nginx.args}), but nginx -T failed${Number.isNaN(exit) ? '' : ` (exit ${exit})`}: ${complaint}.` +
          (/Permission denied/.test(complaint) ? ' Without root it cannot open its files: allow sudo for this server, or type the docroot.' : ' Type the docroot, or fix the configuration first.'),
      );
    } else {
      webServers.push({ server: 'nginx', command: `${nginx.args} -T`, state: 'found', detail: `${parsed.files.length} configuration files, ${parsed.servers.length} server blocks` });
      for (const server of parsed.servers) {
        if (server.roots.length === 0) {
          statements.push(`nginx server block ${server.serverNames.join(' ') || '(no server_name)'} (${server.file}:${server.line}) names no root: nginx serves its built-in html folder there.`);
        }
        for (const root of server.roots) {
          if (root.path.includes('$')) {
            statements.push(`nginx ${root.kind} "${root.path}" (${root.file}:${root.line}) is built from variables at request time: type the directory it stands for.`);
            continue;
          }
          add(root.path, { server: 'nginx', file: root.file, line: root.line, directive: `${root.location ? `location ${root.location}: ` : ''}${root.directive}` }, server.serverNames, server.listen, server.fastcgiPass);
        }
      }
    }
  }
  // --- apache ---
  const apache = get('apache');
  if (get('apache-absent')) {
    webServers.push({ server: 'apache', command: 'apache2ctl -S', state: 'absent', detail: null });
  } else if (apache) {
    const [binary = 'apache2ctl', ...how] = apache.args.split(' ');
    const command = `${binary} ${how.join(' ') || '-S'}`;
    const exit = Number(get('apache-exit')?.args ?? NaN);
    const dump = parseApacheVhosts(apache.lines.join('\n'));
    unparsed.push(...dump.unparsed.map((l) => `${command}: ${l}`));
    if (dump.vhosts.length === 0 && !dump.mainDocumentRoot) {
      const said = [...dump.messages, ...dump.unparsed].map((l) => l.trim()).filter(Boolean).at(-1) ?? 'no output';
      webServers.push({ server: 'apache', command, state: 'failed', detail: said });
      statements.push(`Apache is installed on ${label}, but ${command} listed no virtual host${Number.isNaN(exit) || exit === 0 ? '' : ` (exit ${exit})`}: ${said}.`);
    } else {
      webServers.push({ server: 'apache', command, state: 'found', detail: `${dump.vhosts.length} virtual hosts` });
      const files = parts.filter((p) => p.what === 'apache-file');
      for (const file of files) {
        const path = file.args;
        const next = parts[parts.indexOf(file) + 1];
        if (next?.what === 'apache-file-unreadable') {
          statements.push(`Apache's vhost file ${path} could not be read on ${label}: its DocumentRoot is unknown (allow sudo, or type it).`);
          continue;
        }
        const { directives, unparsed: bad } = parseApacheDirectiveLines(file.lines.join('\n'));
        unparsed.push(...bad.map((l) => `${path}: ${l}`));
        const vhostsHere = dump.vhosts.filter((v) => v.file === path);
        for (const root of apacheRootsOf(path, directives)) {
          // The -S listing names the vhost's addresses; its names come from there and from the file.
          const vhost = vhostsHere.filter((v) => root.vhostLine !== null && v.line === root.vhostLine);
          const names = [...vhost.flatMap((v) => v.names), ...root.serverNames];
          add(root.path, { server: 'apache', file: path, line: root.line, directive: root.directive }, names, vhost.map((v) => v.address), root.phpHandlers);
        }
      }
      if (dump.mainDocumentRoot) {
        add(dump.mainDocumentRoot, { server: 'apache', file: null, line: null, directive: `Main DocumentRoot: "${dump.mainDocumentRoot}"` }, [], [], []);
      }
    }
  }
  if (!get('end')) statements.push(`The docroots script did not finish on ${label}: what it printed before it stopped is used.`);
  const docroots = [...byPath.values()];
  if (webServers.every((w) => w.state === 'absent') && webServers.length > 0) {
    statements.push(`Neither nginx nor Apache is installed on ${label} (no nginx, apache2ctl, apachectl or httpd on the PATH or in /usr/sbin): type the docroot to scan.`);
  } else if (docroots.length === 0) {
    statements.push(`No docroot was found in the web server configuration on ${label}: type the docroot to scan.`);
  }
  return { docroots, webServers, statements, unparsed };
}
