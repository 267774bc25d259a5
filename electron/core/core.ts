import { userInfo } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_DB_FILE } from './data-dir.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { EventBus } from './events.js';
import type { Handlers } from './handlers.js';
import { findingHandlers } from './services/findings.js';
import { noteHandlers } from './services/notes.js';
import { ticketHandlers } from './services/tickets.js';
import { workspaceHandlers } from './services/workspace.js';
import { openWorkspaceDb } from './store/database.js';
import { Workspace } from './workspace.js';

export interface CoreOptions {
  dataDir: string;
  shell: 'electron' | 'browser';
  version: string;
  clock?: () => Date;
  user?: string;
  log?: (message: string, error: unknown) => void;
}

/** The plain-Node core: it knows nothing of Electron or HTTP; shells bind `dispatch` and `events`. */
export interface Core {
  dispatch: Dispatch;
  events: EventBus;
  handlers: Handlers;
  close(): void;
}

export function createCore(options: CoreOptions): Core {
  const db = openWorkspaceDb(join(options.dataDir, WORKSPACE_DB_FILE));
  const events = new EventBus();
  const user = options.user ?? userInfo().username;
  const workspace = new Workspace(db, events, user, options.clock ?? (() => new Date()));
  const handlers: Handlers = {
    ...workspaceHandlers(workspace, { version: options.version, shell: options.shell, dataDir: options.dataDir, user }),
    ...ticketHandlers(workspace),
    ...noteHandlers(workspace),
    ...findingHandlers(workspace),
  };
  const log = options.log ?? ((message, error) => console.error(`[backline] ${message}:`, error));
  return {
    dispatch: createDispatch(handlers, log),
    events,
    handlers,
    close: () => db.close(),
  };
}
