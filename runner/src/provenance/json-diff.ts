/** One changed leaf between two JSON values, by dotted path. */
export interface LeafChange {
  path: string;
  before: unknown;
  after: unknown;
}

const ABSENT = Symbol('absent');

/**
 * Leaf-level differences of two JSON values. Arrays compare whole (a changed list is one
 * change), objects by key; a key present on one side only is a change from/to `undefined`.
 */
export function diffJson(before: unknown, after: unknown, path = ''): LeafChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffJson(k in before ? before[k] : ABSENT, k in after ? after[k] : ABSENT, path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: before === ABSENT ? undefined : before, after: after === ABSENT ? undefined : after }];
}

/** Numeric leaves (outside arrays) by dotted path: the metrics worth comparing. */
export function numericLeaves(value: unknown, path = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number' && path) out[path] = value;
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) numericLeaves(v, path ? `${path}.${k}` : k, out);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
