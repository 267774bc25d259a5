/**
 * Every error that crosses the contract has a code from this table, a message a person can act on,
 * and optionally a hint saying what to do next. Transports map `status` to HTTP; IPC carries it as is.
 */
export const errorCodes = {
  VALIDATION_FAILED: { status: 400, message: 'The request was not valid.' },
  UNKNOWN_METHOD: { status: 404, message: 'Backline does not know this action.' },
  NOT_FOUND: { status: 404, message: 'It was not found.' },
  ALREADY_EXISTS: { status: 409, message: 'It already exists.' },
  CONFLICT: { status: 409, message: 'It was changed elsewhere since you opened it.' },
  UNAUTHORIZED: { status: 401, message: 'This request did not carry the launch token.' },
  FORBIDDEN_ORIGIN: { status: 403, message: 'This request came from a page Backline did not serve.' },
  FORBIDDEN_HOST: { status: 403, message: 'This request named a host Backline does not answer to.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request was too large.' },
  SSH_HOST_UNKNOWN: { status: 409, message: 'This server presented a host key Backline has not seen before.' },
  SSH_HOST_KEY_CHANGED: { status: 409, message: "This server's host key has changed since it was last accepted." },
  SSH_HOST_KEY_TYPE_CHANGED: { status: 409, message: 'This server presented a key of a type other than the ones on record for it.' },
  SSH_HOST_KEY_REVOKED: { status: 409, message: "This server's host key is marked as revoked." },
  SSH_AUTH_FAILED: { status: 401, message: 'The server refused every way Backline tried to log in.' },
  SSH_CREDENTIALS_NEEDED: { status: 401, message: 'The server asks for a password (or a key passphrase) that Backline does not have yet.' },
  SSH_SECOND_FACTOR: { status: 401, message: 'The server asks for a second factor (a verification code, a token) that Backline cannot answer.' },
  SECRET_STORAGE_UNAVAILABLE: { status: 409, message: 'This system offers no keychain that protects stored secrets, so Backline stores none.' },
  SSH_UNREACHABLE: { status: 502, message: 'The server could not be reached.' },
  SSH_TIMEOUT: { status: 504, message: 'The server did not answer in time.' },
  SSH_CONNECTION_LOST: { status: 502, message: 'The connection to the server was lost.' },
  SUDO_NEEDS_PASSWORD: { status: 403, message: 'sudo on this server asks for a password.' },
  SUDO_FAILED: { status: 403, message: 'sudo on this server refused to run the command.' },
  REMOTE_RUNNER_FAILED: { status: 502, message: "The server's login shell could not start the command." },
  REMOTE_COMMAND_FAILED: { status: 502, message: 'A step run on the server failed.' },
  SSH_SESSION_LIMIT: { status: 503, message: 'The server refused another session on this connection (sshd MaxSessions).' },
  COMMAND_TIMEOUT: { status: 504, message: 'The command ran past its time limit and was stopped.' },
  CANCELLED: { status: 409, message: 'Cancelled.' },
  SESSION_WOULD_BE_CUT: { status: 409, message: 'This change would cut your own SSH session to the server.' },
  REPORT_INVALID: { status: 400, message: 'This report cannot be run or saved as it is.' },
  REPORT_READ_ONLY: { status: 400, message: 'Reports only read: this SQL would change the cache.' },
  REPORT_NOT_EDITABLE: { status: 409, message: 'This report comes with Backline or from a shared folder and cannot be changed here.' },
  REPORT_SQL_ERROR: { status: 400, message: "SQLite could not run this report's SQL." },
  REPORT_TIMEOUT: { status: 504, message: 'The report ran past its time limit and was stopped.' },
  REPORT_UNKNOWN_VALUE: { status: 404, message: 'A value given to the report is not in the reporting cache.' },
  REPORTING_NOT_CONFIGURED: { status: 409, message: 'No reporting source is configured.' },
  REPORTING_CACHE_EMPTY: { status: 409, message: 'The reporting cache has not been synced yet.' },
  SYNC_RUNNING: { status: 409, message: 'A sync of the reporting cache is already running.' },
  SYNC_FAILED: { status: 502, message: 'The sync of the reporting cache stopped.' },
  INTERNAL: { status: 500, message: 'Backline hit an unexpected problem.' },
  NETDUMP_RECEIVER_FAILED: { status: 409, message: 'The netconsole receiver could not listen on this address and port.' },
  TICKET_SYSTEM_NOT_CONFIGURED: { status: 409, message: 'No ticket system is set up: give RT’s address and a token in the settings.' },
  TICKET_SYSTEM_UNREACHABLE: { status: 502, message: 'The ticket system could not be reached.' },
  TICKET_SYSTEM_REFUSED: { status: 502, message: 'The ticket system refused the request (token or rights).' },
  TICKET_SYSTEM_TICKET_MISSING: { status: 404, message: 'The ticket system has no such ticket, or does not let you see it.' },
  TICKET_SYSTEM_NOT_RT: { status: 502, message: 'The address given does not answer like Request Tracker.' },
  TICKET_SYSTEM_FAILED: { status: 502, message: 'The ticket system could not do that.' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorIssue {
  /** Dotted path of the offending field, e.g. `body` or `detail.port`; empty for the whole input. */
  path: string;
  message: string;
}

export interface WireError {
  code: ErrorCode;
  message: string;
  hint?: string;
  issues?: ErrorIssue[];
  /** Facts the window can act on, e.g. the fingerprint of an unknown host key. */
  detail?: Record<string, unknown>;
}

export interface ErrorOptions {
  hint?: string;
  issues?: ErrorIssue[];
  detail?: Record<string, unknown>;
}

export class BacklineError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly issues: ErrorIssue[] | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: ErrorOptions = {}) {
    super(message ?? errorCodes[code].message);
    this.name = 'BacklineError';
    this.code = code;
    this.hint = options.hint;
    this.issues = options.issues;
    this.detail = options.detail;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.hint !== undefined) wire.hint = this.hint;
    if (this.issues !== undefined) wire.issues = this.issues;
    if (this.detail !== undefined) wire.detail = this.detail;
    return wire;
  }

  static fromWire(wire: WireError): BacklineError {
    const options: ErrorOptions = {};
    if (wire.hint !== undefined) options.hint = wire.hint;
    if (wire.issues !== undefined) options.issues = wire.issues;
    if (wire.detail !== undefined) options.detail = wire.detail;
    return new BacklineError(wire.code, wire.message, options);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** One line for a person: the message, then what to do next. */
export function describeError(error: WireError): string {
  const issues = error.issues?.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return [error.message, issues, error.hint].filter(Boolean).join(' — ');
}
