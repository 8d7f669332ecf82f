/**
 * @fileoverview Stage: shared. The error type every stage throws for problems the user can act on.
 *
 * Consumes: nothing. Produces: `UserError`, which the CLI prints as exactly one line
 * (`file:line:col: message` where a position is known) with a non-zero exit, never as a stack trace.
 * `environmentError` recognises the failures of the machine a user can fix (memory too small for the
 * engine's buffers, a missing build) that arrive as plain errors, and turns them into `UserError`s.
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

/** V8's messages when an ArrayBuffer (the engine's two 1 GiB buffers per thread) cannot be allocated. */
const OUT_OF_MEMORY =
  /^(Array buffer allocation failed|Invalid array buffer length|.*could not allocate memory)/i;

/**
 * The `UserError` for an error caused by the machine rather than by inputsmith, or undefined: memory too
 * small (a `RangeError` from allocating the engine's buffers) or a missing build (a module of `dist/` not
 * found, or a worker thread started from the sources before `npm run build`).
 */
export function environmentError(e: unknown): UserError | undefined {
  if (e instanceof UserError) return e;
  if (!(e instanceof Error)) return undefined;
  if (e instanceof RangeError && OUT_OF_MEMORY.test(e.message)) {
    return new UserError(
      `not enough memory (${oneLine(e.message)}): the engine reserves two 1 GiB buffers per worker ` +
        'thread; raise the memory limit (ulimit -v) or use fewer --jobs',
    );
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' && /[/\\]dist[/\\]/.test(e.message)) {
    return new UserError(`the build is missing (${oneLine(e.message)}); run \`npm run build\` first`);
  }
  return undefined;
}
