import { isTinyforgeError, type TinyforgeError } from '@tinyforge/sdk';

/** Prints an error the way users should see it and returns the exit code. */
export function reportError(error: unknown, debug: boolean): number {
  if (isTinyforgeError(error)) {
    const e = error as TinyforgeError;
    process.stderr.write(`error: ${e.format()}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = error as Error;
  process.stderr.write(`internal error: ${err?.message ?? String(error)}\n`);
  process.stderr.write(debug && err?.stack ? `${err.stack}\n` : '  (run with --debug for the stack trace, and please report it)\n');
  return 1;
}
