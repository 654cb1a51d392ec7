import { zipSync, type Zippable } from 'fflate';

/** DOS time is local time: a local-time date keeps every entry's stamp 1980-01-01 00:00 in any TZ. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** A reproducible zip: sorted entries, one fixed timestamp, equal input → equal bytes (the Arduino library zip, the CMSIS .pack). */
export function deterministicZip(files: ReadonlyMap<string, string | Uint8Array>): Uint8Array {
  const text = new TextEncoder();
  const tree: Zippable = {};
  for (const rel of [...files.keys()].sort()) {
    const data = files.get(rel)!;
    tree[rel] = [typeof data === 'string' ? text.encode(data) : data, { mtime: FIXED_MTIME }];
  }
  return zipSync(tree, { level: 9 });
}
