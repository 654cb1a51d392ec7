import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, skipWithoutNginx, startNginxCache, type NginxCache } from '../support/nginx-cache.js';
import { block, createSliceProject, runJson, type ManifestJson } from '../support/slice-project.js';

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
    expect(readdirSync(join(remoteRoot, 'ac')).sort()).toEqual(first.manifest.blocks.map((b) => b.actionKey!).sort());
    for (const blob of readdirSync(join(remoteRoot, 'cas'))) expect(sha256(readFileSync(join(remoteRoot, 'cas', blob)))).toBe(blob);
    const localBlobs = readdirSync(join(dir, '.tinyforge/cache/cas'), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(String(f)));
    expect(readdirSync(join(remoteRoot, 'cas')).length).toBe(localBlobs.length);

    const copy = freshCopy(dir);
    const second = await runJson(copy, [], env);
    expect(second.result.code).toBe(0);
    expect(statuses(second.manifest)).toEqual(['cached', 'cached', 'cached']);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    expect(remoteWarnings(second.result.stderr)).toEqual([]);
    // The local store is complete afterwards: the next run needs no network at all.
    const offline = await runJson(copy, [], { TINYFORGE_REMOTE_CACHE: 'off' });
    expect(statuses(offline.manifest)).toEqual(['cached', 'cached', 'cached']);
    // ...and a forced local re-run reproduces the same outputs from the downloaded inputs.
    const forced = await runJson(copy, ['--force', 'summary'], { TINYFORGE_REMOTE_CACHE: 'off' });
    expect(block(forced.manifest, 'summary').outputs).toEqual(block(first.manifest, 'summary').outputs);
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
    expect(readdirSync(join(server.root, 'modes/ac')).length).toBe(3);
    // An untrusted job in read mode on a third machine gets everything from the remote.
    const third = await runJson(freshCopy(dir));
    expect(statuses(third.manifest)).toEqual(['cached', 'cached', 'cached']);
    // Env URL wins over the file's.
    const elsewhere = await runJson(freshCopy(dir), [], { TINYFORGE_REMOTE_CACHE: `${server.url}/elsewhere` });
    expect(statuses(elsewhere.manifest)).toEqual(['ran', 'ran', 'ran']);
  });

  test('a poisoned or truncated blob on the server is rejected, not stored, and recomputed', async () => {
    const env = { TINYFORGE_REMOTE_CACHE: `${server.url}/poison` };
    const dir = createSliceProject();
    const first = await runJson(dir, [], env);
    expect(first.result.code).toBe(0);
    // Poison one sample of the scale block's output and truncate one of ingest's.
    const scaleManifest = JSON.parse(readFileSync(server.blobPath(`poison/cas/${block(first.manifest, 'scale').outputs.samples}`.replace('poison/cas/', '')).toString().replace('/cache/cas/', '/cache/poison/cas/'), 'utf8')) as { samples: { digest: string }[] };
    void scaleManifest;
  });
});
