import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findStateRoot, openStore } from '@tinyforge/runner';
import { freePort, skipWithoutNginx, startNginxCache, type NginxCache } from '../support/nginx-cache.js';
import { block, createSliceProject, runJson, writePipeline, writeSampleCsv, type ManifestJson } from '../support/slice-project.js';
import { perSamplePipeline, writeSumBlock } from '../support/per-sample-block.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A second machine: the same project files in a new folder, no `.tinyforge`. */
function freshCopy(dir: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'tinyforge-machine2-')), 'project');
  cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
  rmSync(join(copy, '.tinyforge'), { recursive: true, force: true });
  return copy;
}

const statuses = (m: ManifestJson) => m.blocks.map((b) => b.status);
const remoteWarnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning: remote cache'));

describe.skipIf(skipWithoutNginx())('remote cache over HTTP (real nginx, WebDAV PUT)', () => {
  let server: NginxCache;
  beforeAll(async () => {
    server = await startNginxCache();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('a second machine with an empty local cache runs entirely from the remote', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/second-machine` };
    const dir = createSliceProject();
    const first = await runJson(dir, [], env);
    expect(first.result.code).toBe(0);
    expect(statuses(first.manifest)).toEqual(['ran', 'ran', 'ran']);
    expect(remoteWarnings(first.result.stderr)).toEqual([]);
    // Blobs first, then the entries: all three action results and every blob are on the server.
    const remoteRoot = join(server.root, 'second-machine');
    // ac/ holds the three action results and the per-sample indexes of the two per-sample blocks.
    const acEntries = readdirSync(join(remoteRoot, 'ac'));
    expect(acEntries).toEqual(expect.arrayContaining(first.manifest.blocks.map((b) => b.actionKey!)));
    expect(acEntries).toHaveLength(5);
    for (const blob of readdirSync(join(remoteRoot, 'cas'))) expect(sha256(readFileSync(join(remoteRoot, 'cas', blob)))).toBe(blob);
    const localBlobs = readdirSync(join(dir, '.tinyforge/cache/cas'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f)));
    expect(readdirSync(join(remoteRoot, 'cas')).length).toBe(localBlobs.length);

    const copy = freshCopy(dir);
    const second = await runJson(copy, [], env);
    expect(second.result.code).toBe(0);
    expect(statuses(second.manifest)).toEqual(['cached', 'cached', 'cached']);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    expect(remoteWarnings(second.result.stderr)).toEqual([]);
    // Build without the bytes: only manifests and the model came down, not the datasets.
    const gotBlobs = (d: string) => readdirSync(join(d, '.tinyforge/cache/cas'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f))).length;
    expect(gotBlobs(copy)).toBeLessThan(localBlobs.length / 2);
    // Cached from now on without the remote...
    const offline = await runJson(copy, [], { TINYFORGE_REMOTE_CACHE: 'off' });
    expect(statuses(offline.manifest)).toEqual(['cached', 'cached', 'cached']);
    // ...and a block that reads a cached dataset gets its blobs from the remote on first read.
    const forced = await runJson(copy, ['--force', 'summary'], env);
    expect(statuses(forced.manifest)).toEqual(['cached', 'cached', 'ran']);
    expect(forced.manifest.integrityRecovery).toBeUndefined();
    expect(block(forced.manifest, 'summary').outputs).toEqual(block(first.manifest, 'summary').outputs);
    const again = await runJson(copy, ['--force', 'summary'], { TINYFORGE_REMOTE_CACHE: 'off' });
    expect(again.manifest.integrityRecovery).toBeUndefined();
    expect(statuses(again.manifest)).toEqual(['cached', 'cached', 'ran']);
  });

  test('a fresh machine whose dataset gained a sample computes that sample only (per-sample index on the remote)', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/units` };
    const dir = createSliceProject({ samplesPerLabel: 20 });
    const first = await runJson(dir, [], env);
    expect(first.result.code).toBe(0);
    const copy = freshCopy(dir);
    writeSampleCsv(copy, 'wave', 999);
    const second = await runJson(copy, [], env);
    expect(second.result.code).toBe(0);
    expect(remoteWarnings(second.result.stderr)).toEqual([]);
    expect(block(second.manifest, 'ingest').counters).toEqual({ samplesComputed: 1, samplesCached: 40 });
    expect(block(second.manifest, 'scale').counters).toEqual({ samplesComputed: 1, samplesCached: 40 });
    expect(block(second.manifest, 'summary').status).toBe('ran');
    expect(second.manifest.integrityRecovery).toBeUndefined();
    // A new scale factor recomputes all 41 samples on worker threads (≥ 32 units), which read
    // ingest's samples straight from the local store: they were fetched when ingest finished.
    const third = await runJson(copy, ['--set', 'scale.factor=5'], env);
    expect(third.result.code).toBe(0);
    expect(block(third.manifest, 'ingest').status).toBe('cached');
    expect(block(third.manifest, 'scale').counters).toEqual({ samplesComputed: 41, samplesCached: 0 });
    expect(third.manifest.integrityRecovery).toBeUndefined();
    // The machine that added a sample shared its result: the next one to add another computes one.
    const other = freshCopy(copy);
    writeSampleCsv(other, 'idle', 1000);
    const fourth = await runJson(other, [], env);
    expect(block(fourth.manifest, 'ingest').counters).toEqual({ samplesComputed: 1, samplesCached: 41 });
  });

  test('a perSample block (container DSP) on a fresh machine that gained a sample: one computed, its meta from the remote', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/per-sample-whole` };
    const dir = createSliceProject({ samplesPerLabel: 5 });
    writeSumBlock(dir);
    writePipeline(dir, perSamplePipeline());
    expect((await runJson(dir, [], env)).result.code).toBe(0);
    const copy = freshCopy(dir);
    writeSampleCsv(copy, 'wave', 999);
    const second = await runJson(copy, [], env);
    expect(second.result.code, second.result.stderr).toBe(0);
    expect(remoteWarnings(second.result.stderr)).toEqual([]);
    expect(block(second.manifest, 'sum').counters).toEqual({ samplesComputed: 1, samplesCached: 10 });
    // The meta run() set came through the remote index (the meta unit names an uploaded manifest).
    const other = freshCopy(dir);
    rmSync(join(other, 'data/idle/idle.00000.csv'));
    const third = await runJson(other, [], env);
    expect(block(third.manifest, 'sum').counters).toEqual({ samplesComputed: 0, samplesCached: 9 });
    // (the manifest only: this machine fetches sample blobs from the remote lazily, when read)
    const store = await openStore(findStateRoot(other), {});
    expect((await store.artifacts.getManifest(block(third.manifest, 'sum').outputs.features!)).meta).toMatchObject({ note: 'set by run' });
  });

  test('download: all brings every blob of a cached block at once', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/download-all` };
    const dir = createSliceProject();
    await runJson(dir, [], env);
    const copy = freshCopy(dir);
    const second = await runJson(copy, [], { ...env, TINYFORGE_REMOTE_CACHE_DOWNLOAD: 'all' });
    expect(statuses(second.manifest)).toEqual(['cached', 'cached', 'cached']);
    const offline = await runJson(copy, ['--force', 'summary'], { TINYFORGE_REMOTE_CACHE: 'off' });
    expect(statuses(offline.manifest)).toEqual(['cached', 'cached', 'ran']);
    expect(offline.manifest.integrityRecovery).toBeUndefined();
  });

  test('read mode downloads but never uploads; env overrides tinyforge.config.json', async () => {
    const dir = createSliceProject();
    writeFileSync(join(dir, 'tinyforge.config.json'), JSON.stringify({ remoteCache: { url: `${server.url}/modes`, mode: 'read' } }));
    const before = server.requests().length;
    const readOnly = await runJson(dir);
    expect(readOnly.result.code).toBe(0);
    expect(statuses(readOnly.manifest)).toEqual(['ran', 'ran', 'ran']);
    const made = server.requests().slice(before);
    expect(made.filter((r) => r.path.startsWith('/cache/modes/')).length).toBeGreaterThan(0); // it did ask
    expect(made.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(existsSync(join(server.root, 'modes'))).toBe(false);

    // A trusted job widens the mode by env; the URL still comes from the file.
    const copy = freshCopy(dir);
    const trusted = await runJson(copy, [], { TINYFORGE_REMOTE_CACHE_MODE: 'readwrite' });
    expect(statuses(trusted.manifest)).toEqual(['ran', 'ran', 'ran']);
    expect(readdirSync(join(server.root, 'modes/ac')).length).toBe(5); // 3 results + 2 per-sample indexes
    // An untrusted job in read mode on a third machine gets everything from the remote.
    const third = await runJson(freshCopy(dir));
    expect(statuses(third.manifest)).toEqual(['cached', 'cached', 'cached']);
    // Env URL wins over the file's.
    const elsewhere = await runJson(freshCopy(dir), [], { TINYFORGE_REMOTE_CACHE: `${server.url}/elsewhere` });
    expect(statuses(elsewhere.manifest)).toEqual(['ran', 'ran', 'ran']);
  });

  test('a poisoned or truncated blob on the server is rejected, not stored, and recomputed', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/poison` };
    const cas = (digest: string) => join(server.root, 'poison/cas', digest);
    const dir = createSliceProject();
    const first = await runJson(dir, [], env);
    expect(first.result.code).toBe(0);
    // Overwrite one sample of scale's output with other bytes, truncate one of ingest's.
    const samplesOf = (name: string) => (JSON.parse(readFileSync(cas(block(first.manifest, name).outputs.samples!), 'utf8')) as { samples: { digest: string }[] }).samples.map((s) => s.digest);
    const poisoned = samplesOf('scale')[3]!;
    const truncated = samplesOf('ingest')[0]!;
    const good = readFileSync(cas(poisoned));
    writeFileSync(cas(poisoned), Buffer.concat([good.subarray(0, good.length - 4), Buffer.from([1, 2, 3, 4])]));
    truncateSync(cas(truncated), 10);

    // Downloading everything: both damaged blobs are caught before use, their blocks recomputed.
    const copy = freshCopy(dir);
    const second = await runJson(copy, [], { ...env, TINYFORGE_REMOTE_CACHE_DOWNLOAD: 'all' });
    expect(second.result.code).toBe(0);
    const warnings = remoteWarnings(second.result.stderr);
    expect(warnings.some((w) => w.includes(`rejected blob ${poisoned.slice(0, 12)}`))).toBe(true);
    expect(warnings.some((w) => w.includes(`rejected blob ${truncated.slice(0, 12)}`))).toBe(true);
    expect(statuses(second.manifest)).toEqual(['ran', 'ran', 'cached']);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    expect(second.manifest.integrityRecovery).toBeUndefined();
    // What the local store holds is the recomputed, correct bytes.
    const local = (d: string) => readFileSync(join(copy, '.tinyforge/cache/cas', d.slice(0, 2), d));
    expect(sha256(local(poisoned))).toBe(poisoned);
    expect(sha256(local(truncated))).toBe(truncated);
    // A readwrite client heals the server: the good bytes were uploaded over the bad ones.
    expect(sha256(readFileSync(cas(poisoned)))).toBe(poisoned);
    expect(sha256(readFileSync(cas(truncated)))).toBe(truncated);
    const third = await runJson(freshCopy(dir), [], { ...env, TINYFORGE_REMOTE_CACHE_DOWNLOAD: 'all' });
    expect(statuses(third.manifest)).toEqual(['cached', 'cached', 'cached']);
    expect(remoteWarnings(third.result.stderr)).toEqual([]);
  });

  test('lazily fetched blobs are verified too: a poisoned one is rejected when read, and recomputed', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/poison-lazy` };
    const cas = (digest: string) => join(server.root, 'poison-lazy/cas', digest);
    const dir = createSliceProject();
    const first = await runJson(dir, [], env);
    const scaleSamples = (JSON.parse(readFileSync(cas(block(first.manifest, 'scale').outputs.samples!), 'utf8')) as { samples: { digest: string }[] }).samples;
    const poisoned = scaleSamples[2]!.digest;
    writeFileSync(cas(poisoned), 'not the sample you are looking for');
    const copy = freshCopy(dir);
    // Nothing reads scale's samples when summary is cached: nothing to reject, all cached.
    const cached = await runJson(copy, [], env);
    expect(statuses(cached.manifest)).toEqual(['cached', 'cached', 'cached']);
    // summary re-runs and reads them: the bad blob is refused, scale recomputed from ingest.
    const forced = await runJson(copy, ['--force', 'summary'], env);
    expect(forced.result.code).toBe(0);
    expect(remoteWarnings(forced.result.stderr).some((w) => w.includes(`rejected blob ${poisoned.slice(0, 12)}`))).toBe(true);
    expect(statuses(forced.manifest)).toEqual(['cached', 'ran', 'ran']);
    expect(forced.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    expect(sha256(readFileSync(join(copy, '.tinyforge/cache/cas', poisoned.slice(0, 2), poisoned)))).toBe(poisoned);
    expect(sha256(readFileSync(cas(poisoned)))).toBe(poisoned); // healed
  });

  test('an action entry that is not valid is ignored with a warning and recomputed', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/bad-ac` };
    const dir = createSliceProject();
    const first = await runJson(dir, [], env);
    const summaryKey = block(first.manifest, 'summary').actionKey!;
    const scaleKey = block(first.manifest, 'scale').actionKey!;
    const ac = (key: string) => join(server.root, 'bad-ac/ac', key);
    writeFileSync(ac(summaryKey), '{"format":1,"actionKey":"tru'); // cut short
    // A well-formed entry whose key record does not hash to its key (a forged result).
    const forged = JSON.parse(readFileSync(ac(scaleKey), 'utf8')) as { keyRecord: { params: Record<string, unknown> } };
    forged.keyRecord.params.factor = 99;
    writeFileSync(ac(scaleKey), JSON.stringify(forged));
    // And a per-sample index that is not one: ignored too, scale computes its samples itself.
    const unitsEntries = readdirSync(join(server.root, 'bad-ac/ac')).filter((f) => ![summaryKey, scaleKey, block(first.manifest, 'ingest').actionKey].includes(f));
    expect(unitsEntries).toHaveLength(2);
    for (const entry of unitsEntries) writeFileSync(ac(entry), JSON.stringify({ format: 1, kind: 'units', baseKey: 'nope', units: {} }));
    const second = await runJson(freshCopy(dir), [], env);
    expect(second.result.code).toBe(0);
    expect(statuses(second.manifest)).toEqual(['cached', 'ran', 'ran']);
    expect(block(second.manifest, 'scale').counters).toEqual({ samplesComputed: 10, samplesCached: 0 });
    expect(remoteWarnings(second.result.stderr).some((w) => /ignored the per-sample index for [0-9a-f]{12}… .*not a valid index/.test(w))).toBe(true);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    // The recomputed entries replaced the bad ones.
    const third = await runJson(freshCopy(dir), [], env);
    expect(statuses(third.manifest)).toEqual(['cached', 'cached', 'cached']);
    const warnings = remoteWarnings(second.result.stderr);
    expect(warnings.some((w) => w.includes(`ignored action entry ${summaryKey.slice(0, 12)}`) && w.includes('not JSON'))).toBe(true);
    expect(warnings.some((w) => w.includes(`ignored action entry ${scaleKey.slice(0, 12)}`) && w.includes('does not hash'))).toBe(true);
  });

  test('a server that takes uploads only with credentials: anonymous jobs read, authenticated ones write', async () => {
    const guarded = await startNginxCache({ writeAuth: { user: 'ci', password: 's3cret' } });
    try {
      const dir = createSliceProject();
      const anonymous = await runJson(dir, [], { TINYFORGE_REMOTE_CACHE: guarded.url });
      expect(anonymous.result.code).toBe(0);
      expect(statuses(anonymous.manifest)).toEqual(['ran', 'ran', 'ran']);
      const refused = remoteWarnings(anonymous.result.stderr);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(/refuses uploads \(HTTP 401\)/);
      expect(existsSync(join(guarded.root, 'ac'))).toBe(false);

      const authed = await runJson(freshCopy(dir), [], { TINYFORGE_REMOTE_CACHE: guarded.url.replace('http://', 'http://ci:s3cret@') });
      expect(remoteWarnings(authed.result.stderr)).toEqual([]);
      expect(readdirSync(join(guarded.root, 'ac'))).toHaveLength(5);
      expect(authed.result.stderr).not.toContain('s3cret');

      const reader = await runJson(freshCopy(dir), [], { TINYFORGE_REMOTE_CACHE: guarded.url, TINYFORGE_REMOTE_CACHE_MODE: 'read' });
      expect(statuses(reader.manifest)).toEqual(['cached', 'cached', 'cached']);
      expect(remoteWarnings(reader.result.stderr)).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });

  test('a dead server: one warning for the whole run, and the run succeeds locally', async () => {
    const port = await freePort();
    const dir = createSliceProject();
    const started = performance.now();
    const run = await runJson(dir, [], { TINYFORGE_REMOTE_CACHE: `http://127.0.0.1:${port}/cache` });
    const ms = performance.now() - started;
    expect(run.result.code).toBe(0);
    expect(statuses(run.manifest)).toEqual(['ran', 'ran', 'ran']);
    const warnings = remoteWarnings(run.result.stderr);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unreachable \(ECONNREFUSED\); continuing with the local cache only/);
    expect(ms).toBeLessThan(15_000);
    const again = await runJson(dir, [], { TINYFORGE_REMOTE_CACHE: `http://127.0.0.1:${port}/cache` });
    expect(statuses(again.manifest)).toEqual(['cached', 'cached', 'cached']);
    expect(remoteWarnings(again.result.stderr)).toEqual([]); // all local hits: the remote is never asked
  });
});
