import type { z } from 'zod';
import { TinyforgeError, type ErrorCode } from '@tinyforge/sdk';

/** Describes a value briefly for "found …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  return 'an object';
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

interface IssueContext {
  code: ErrorCode;
  file?: string;
  block?: string;
  /** Prefix for the field path (e.g. `blocks.mfcc.params`). */
  pathPrefix?: string;
}

/** One TinyforgeError per zod issue: file, block, field path, what was expected, what was found. */
export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], root: unknown, ctx: IssueContext): TinyforgeError[] {
  return issues.map((issue) => {
    const fullPath = ctx.pathPrefix ? (issue.path.length ? `${ctx.pathPrefix}.${formatPath(issue.path)}` : ctx.pathPrefix) : formatPath(issue.path);
    const found = 'input' in issue ? describeValue(issue.input) : describeValue(valueAt(root, issue.path));
    let expected: string | undefined;
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      expected = issue.expected;
      message = 'wrong type';
    } else if (issue.code === 'unrecognized_keys') {
      message = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return new TinyforgeError({ code: ctx.code, file: ctx.file, block: ctx.block, path: fullPath || undefined, message });
    } else if (issue.code === 'invalid_value') {
      expected = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      message = 'not an allowed value';
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      message = issue.message;
    } else if (issue.code === 'invalid_format' || (issue.code === 'custom' && issue.message)) {
      expected = issue.message.replace(/^Invalid (string|input): /, '');
      message = 'invalid value';
    } else if (issue.code === 'invalid_union') {
      expected = issue.message;
      message = 'invalid value';
    }
    return new TinyforgeError({ code: ctx.code, file: ctx.file, block: ctx.block, path: fullPath || undefined, message, expected, found });
  });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
