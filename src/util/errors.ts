/**
 * @fileoverview Stage: shared. The error type every stage throws for problems the user can act on.
 *
 * Consumes: nothing. Produces: `UserError`, which the CLI prints as exactly one line
 * (`file:line:col: message` where a position is known) with a non-zero exit, never as a stack trace.
 * Anything else that escapes is a bug in inputsmith and is reported as an internal error.
 */

export interface SourcePos {
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
}

export class UserError extends Error {
  readonly pos: SourcePos | undefined;
  /** Process exit code the CLI uses (1 by default; 2 for usage errors). */
  readonly exitCode: number;

  constructor(message: string, pos?: SourcePos, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.pos = pos;
    this.exitCode = exitCode;
  }

  /** The one-line rendering: `file:line:col: message`. */
  format(): string {
    const p = this.pos;
    if (p === undefined || p.file === undefined) return oneLine(this.message);
    let at = p.file;
    if (p.line !== undefined) at += `:${p.line}`;
    if (p.line !== undefined && p.col !== undefined) at += `:${p.col}`;
    return `${at}: ${oneLine(this.message)}`;
  }
}

/** Collapse a message to a single line (tool output captured into messages may contain newlines). */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** The first line of an error, with its class when it is not a plain Error (a UserError as it prints). */
export function errorLine(e: unknown): string {
  if (e instanceof UserError) return e.format();
  if (e instanceof Error) {
    const first = e.message.split('\n')[0]?.trim() ?? '';
    return e.name === 'Error' ? first : `${e.name}: ${first}`;
  }
  return String(e).split('\n')[0] ?? '';
}
