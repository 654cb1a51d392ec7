/** Small helpers that print C source. */

/** `{ 1, -2, ... }` body lines, `perLine` values a line. */
export function cArrayBody(values: ArrayLike<number | string>, perLine = 24, indent = '  '): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) row.push(String(values[j]));
    parts.push(indent + row.join(', ') + ',');
  }
  return parts.join('\n');
}

/** A float32 value as a C float literal that parses back to the same float32. */
export function cFloat(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'NAN';
  if (f === Infinity) return 'INFINITY';
  if (f === -Infinity) return '-INFINITY';
  if (Object.is(f, -0)) return '-0.0f';
  let s = f.toPrecision(9);
  if (!/[.e]/.test(s)) s += '.0';
  return `${s}f`;
}

/** int32 literal safe in C (INT32_MIN cannot be written as a literal). */
export function cInt32(v: number): string {
  if (v === -2147483648) return '(-2147483647 - 1)';
  return String(v);
}

export function cString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (byte >= 0x20 && byte <= 0x7e && ch !== '?') out += ch;
    // Octal escapes stop after 3 digits (hex ones would swallow following hex letters).
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** A C identifier from any text. */
export function cIdent(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}
