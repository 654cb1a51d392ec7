/**
 * The one error type users see. The CLI prints it as one or two lines (no stack trace) and
 * exits with `exitCode`: 2 for bad config or bad input, 1 for a pipeline or test failure.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_LOAD'
  | 'UNKNOWN_BLOCK'
  | 'CYCLE'
  | 'ARTIFACT_KIND'
  | 'PARAMS_INVALID'
  | 'BAD_INPUT'
  | 'INTEGRITY'
  | 'BLOCK_FAILED'
  | 'CANCELLED'
  | 'PLUGIN'
  | 'DOCKER'
  | 'TEST_FAILED'
  | 'USAGE';

export interface TinyforgeErrorInit {
  code: ErrorCode;
  message: string;
  /** File the problem is in (pipeline file, data file). */
  file?: string;
  /** Block instance name in the pipeline. */
  block?: string;
  /** Field path, e.g. `blocks.mfcc.params.num_filters`. */
  path?: string;
  expected?: string;
  found?: string;
  hint?: string;
  cause?: unknown;
}

const BAD_INPUT_CODES: ReadonlySet<ErrorCode> = new Set([
  'CONFIG_INVALID',
  'CONFIG_LOAD',
  'UNKNOWN_BLOCK',
  'CYCLE',
  'ARTIFACT_KIND',
  'PARAMS_INVALID',
  'BAD_INPUT',
  'PLUGIN',
  'USAGE',
]);

export class TinyforgeError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly block: string | undefined;
  readonly path: string | undefined;
  readonly expected: string | undefined;
  readonly found: string | undefined;
  readonly hint: string | undefined;

  constructor(init: TinyforgeErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TinyforgeError';
    this.code = init.code;
    this.file = init.file;
    this.block = init.block;
    this.path = init.path;
    this.expected = init.expected;
    this.found = init.found;
    this.hint = init.hint;
  }

  /** 2 for bad config/input, 1 for failures while running. */
  get exitCode(): 1 | 2 {
    return BAD_INPUT_CODES.has(this.code) ? 2 : 1;
  }

  /** One line: `file: block "x": path: message (expected …, found …)`. */
  format(): string {
    const where: string[] = [];
    if (this.file) where.push(this.file);
    if (this.block) where.push(`block "${this.block}"`);
    if (this.path) where.push(this.path);
    let line = where.length > 0 ? `${where.join(': ')}: ${this.message}` : this.message;
    if (this.expected !== undefined || this.found !== undefined) {
      const parts: string[] = [];
      if (this.expected !== undefined) parts.push(`expected ${this.expected}`);
      if (this.found !== undefined) parts.push(`found ${this.found}`);
      line += ` (${parts.join(', ')})`;
    }
    return this.hint ? `${line}\n  hint: ${this.hint}` : line;
  }
}

/** Several problems reported at once (a config with three mistakes gets three lines). */
export class TinyforgeErrors extends TinyforgeError {
  readonly errors: readonly TinyforgeError[];

  constructor(errors: readonly TinyforgeError[]) {
    const first = errors[0];
    if (!first) throw new Error('TinyforgeErrors needs at least one error');
    super({ code: first.code, message: `${errors.length} problem(s)`, file: first.file });
    this.name = 'TinyforgeErrors';
    this.errors = errors;
  }

  override get exitCode(): 1 | 2 {
    return this.errors.some((e) => e.exitCode === 1) ? 1 : 2;
  }

  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

export function isTinyforgeError(value: unknown): value is TinyforgeError {
  return value instanceof Error && (value as { name?: string }).name?.startsWith('TinyforgeError') === true;
}

/** Error thrown by ingest readers for a malformed file: names the file and the reason. */
export function badInput(file: string, message: string, extra: Partial<TinyforgeErrorInit> = {}): TinyforgeError {
  return new TinyforgeError({ code: 'BAD_INPUT', file, message, ...extra });
}
