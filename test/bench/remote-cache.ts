/**
 * Remote cache benchmark: the KWS demo pipeline (pipelines/kws) as CI sees it.
 *   1. machine A: empty local cache, run with a real HTTP cache (nginx + WebDAV) → fills it;
 *   2. machine B: a fresh copy of the project, an empty local cache, the same remote
 *      (default `download: minimal`: manifests and models only, datasets fetched when read);
 *   3. machine C: the same with `download: all` (every blob fetched and verified), for comparison.
 * Goal: B finishes in ≤ 5 s with every block cached. The repo's own .tinyforge is never touched
 * (copies in a temp folder, TINYFORGE_HOME pointing at temp folders).
 * Run: npx tsx test/bench/remote-cache.ts (after tsc -b; needs nginx-light).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNginxCache } from '../support/nginx-cache.js';
import { CLI, REPO_ROOT } from '../support/slice-project.js';

interface Manifest {
  ok: boolean;
  blocks: { name: string; status: string; ms: number; error?: string }[];
}

function machine(name: string): { project: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), `tinyforge-bench-${name}-`));
  const project = join(base, 'kws');
  cpSync(join(REPO_ROOT, 'pipelines/kws'), project, { recursive: true, filter: (src) => !src.includes('.tinyforge') });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(base, 'node_modules'));
  return { project, home: join(base, 'home') };
}

function run(m: { project: string; home: string }, remote: string, download = 'minimal'): { ms: number; manifest: Manifest } {
  const env = { ...process.env, TINYFORGE_HOME: m.home, TINYFORGE_REMOTE_CACHE: remote, TINYFORGE_REMOTE_CACHE_MODE: 'readwrite', TINYFORGE_REMOTE_CACHE_DOWNLOAD: download };
  const t0 = performance.now();
  const out = spawnSync(process.execPath, [CLI, 'run', m.project, '--json'], { env, maxBuffer: 64 << 20, encoding: 'utf8' });
  const ms = performance.now() - t0;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(out.stdout) as Manifest;
  } catch {
    throw new Error(`tinyforge run exited ${out.status} without a manifest:\n${out.stderr}`);
  }
  if (out.status !== 0) console.error(`run in ${m.project} exited ${out.status}:\n${out.stderr}\n${manifest.blocks.map((b) => `${b.name}: ${b.status} ${b.error ?? ''}`).join('\n')}`);
  return { ms, manifest };
}

function folderBytes(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const st = statSync(join(dir, String(f)));
    if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

const server = await startNginxCache();
try {
  const remote = `${server.url}/kws`;
  const a = machine('a');
  const fill = run(a, remote);
  if (!fill.manifest.ok) throw new Error('the filling run failed');
  const stored = folderBytes(join(server.root, 'kws'));
  const putCount = server.requests().filter((r) => r.method === 'PUT').length;

  const b = machine('b');
  const before = server.requests().length;
  const second = run(b, remote);
  const gets = server.requests().slice(before).filter((r) => r.method === 'GET').length;
  const allCached = second.manifest.blocks.every((x) => x.status === 'cached');
  const local = run(b, 'off');
  const c = machine('c');
  const all = run(c, remote, 'all');
  const allCachedToo = all.manifest.blocks.every((x) => x.status === 'cached');

  const blocks = second.manifest.blocks.length;
  const perBlock = (m: Manifest) => m.blocks.map((x) => `${x.name} ${(x.ms / 1000).toFixed(2)}`).join(', ');
  console.log(`remote_cache.kws_fill_run: ${(fill.ms / 1000).toFixed(2)} s (no goal; ${blocks} blocks ran, ${putCount} uploads, ${stored.files} files / ${(stored.bytes / 1048576).toFixed(1)} MiB on the server)`);
  console.log(`remote_cache.kws_second_machine: ${(second.ms / 1000).toFixed(2)} s (goal ≤ 5 s with every block cached; ${allCached ? 'all' : 'NOT all'} ${blocks} blocks cached, ${gets} GETs; per block s: ${perBlock(second.manifest)})`);
  console.log(`remote_cache.kws_second_machine_download_all: ${(all.ms / 1000).toFixed(2)} s (no goal; every blob fetched and verified, ${allCachedToo ? 'all' : 'NOT all'} blocks cached)`);
  console.log(`remote_cache.kws_local_cached_rerun: ${(local.ms / 1000).toFixed(2)} s (no goal; same machine, remote off, for comparison; per block s: ${perBlock(local.manifest)})`);
  if (!allCached || !allCachedToo) process.exitCode = 1;
  for (const m of [a, b, c]) rmSync(join(m.project, '..'), { recursive: true, force: true });
} finally {
  await server.stop();
}
