import type { SampleRef } from '@tinyforge/sdk';
import { UnitIndex, type UnitResults } from '../store/unit-index.js';
import { DIGEST_PATTERN, sha256 } from '../util/hash.js';
import type { HttpCache } from './http-cache.js';

export const UNITS_ENTRY_FORMAT = 1;

interface UnitsEntry {
  format: typeof UNITS_ENTRY_FORMAT;
  kind: 'units';
  baseKey: string;
  units: UnitResults;
}

/** Where a block configuration's per-sample index lives on the remote (`ac/<this>`). */
export function unitsEntryKey(baseKey: string): string {
  return sha256(`tinyforge-units:${baseKey}`);
}

/**
 * The per-sample index, shared through the remote: a fresh machine whose dataset gained one
 * sample computes that sample and takes the others' results from the remote. Remote entries are
 * offered to `load` (local ones win) but never written to the local index; the blobs they name
 * are "owed": fetched (and verified) when read, like the blobs of any remote hit.
 */
export class RemoteUnitIndex extends UnitIndex {
  /** Blobs named by remote entries handed out this run and maybe not local yet. */
  readonly owed = new Set<string>();
  private readonly fetched = new Map<string, Promise<UnitResults>>();
  /** Base keys being merged: `UnitIndex.merge` re-loads, and must see the local index only. */
  private readonly merging = new Set<string>();

  constructor(
    dir: string,
    private readonly http: HttpCache,
    private readonly warn: (message: string) => void,
    /** Blobs the remote already served corrupt this run: entries naming them are not offered. */
    private readonly knownBad: (digest: string) => boolean = () => false,
  ) {
    super(dir);
  }

  override async load(baseKey: string): Promise<UnitResults> {
    const local = await super.load(baseKey);
    if (this.merging.has(baseKey)) return local;
    const remote = await this.fetch(baseKey);
    for (const [key, refs] of Object.entries(remote)) {
      if (key in local || refs.some((r) => this.knownBad(r.digest))) continue;
      local[key] = refs;
      for (const ref of refs) this.owed.add(ref.digest);
    }
    return local;
  }

  override async merge(baseKey: string, added: UnitResults): Promise<void> {
    this.merging.add(baseKey);
    try {
      await super.merge(baseKey, added);
    } finally {
      this.merging.delete(baseKey);
    }
  }

  /** Blobs the remote index of `baseKey` names (so they were uploaded before it was written). */
  async listedBlobs(baseKey: string): Promise<Set<string>> {
    const units = await this.fetch(baseKey);
    return new Set(Object.values(units).flatMap((refs) => refs.map((r) => r.digest)));
  }

  private fetch(baseKey: string): Promise<UnitResults> {
    let pending = this.fetched.get(baseKey);
    if (!pending) {
      pending = this.download(baseKey);
      this.fetched.set(baseKey, pending);
    }
    return pending;
  }

  private async download(baseKey: string): Promise<UnitResults> {
    const bytes = await this.http.get(`ac/${unitsEntryKey(baseKey)}`);
    if (!bytes) return {};
    const entry = parseEntry(bytes, baseKey);
    if (!entry) {
      this.warn(`ignored the per-sample index for ${baseKey.slice(0, 12)}… from ${this.http.baseUrl}: not a valid index`);
      return {};
    }
    return entry.units;
  }

  /**
   * Adds this machine's per-sample results for `baseKey` to the remote index: only entries whose
   * blobs are known to be on the remote (just uploaded or checked), so a reader never gets an
   * entry it cannot use. Called after the action entry is uploaded.
   */
  async publish(baseKey: string, onRemote: (digest: string) => boolean): Promise<void> {
    const local = await UnitIndex.prototype.load.call(this, baseKey);
    if (Object.keys(local).length === 0) return; // not a per-sample block
    const remote = await this.fetch(baseKey);
    const fresh = Object.entries(local).filter(([key, refs]) => !(key in remote) && refs.every((r) => onRemote(r.digest)));
    if (fresh.length === 0) return;
    const units: UnitResults = { ...remote, ...Object.fromEntries(fresh) };
    const entry: UnitsEntry = { format: UNITS_ENTRY_FORMAT, kind: 'units', baseKey, units };
    if (await this.http.put(`ac/${unitsEntryKey(baseKey)}`, Buffer.from(JSON.stringify(entry), 'utf8'))) this.fetched.set(baseKey, Promise.resolve(units));
  }
}

function parseEntry(bytes: Buffer, baseKey: string): UnitsEntry | undefined {
  let entry: UnitsEntry;
  try {
    entry = JSON.parse(bytes.toString('utf8')) as UnitsEntry;
  } catch {
    return undefined;
  }
  if (entry?.format !== UNITS_ENTRY_FORMAT || entry.kind !== 'units' || entry.baseKey !== baseKey) return undefined;
  if (typeof entry.units !== 'object' || entry.units === null) return undefined;
  for (const [key, refs] of Object.entries(entry.units)) {
    if (!DIGEST_PATTERN.test(key) || !Array.isArray(refs) || !refs.every(isSampleRef)) return undefined;
  }
  return entry;
}

function isSampleRef(ref: SampleRef): boolean {
  return (
    typeof ref === 'object' &&
    ref !== null &&
    typeof ref.id === 'string' &&
    (ref.label === null || typeof ref.label === 'string') &&
    typeof ref.category === 'string' &&
    typeof ref.digest === 'string' &&
    DIGEST_PATTERN.test(ref.digest)
  );
}
