import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { block, createSliceProject, runJson, slicePipeline, startCli, writePipeline } from '../support/slice-project.js';

function casPath(dir: string, digest: string): string {
  return join(dir, '.tinyforge/cache/cas', digest.slice(0, 2), digest);
}

describe('concurrency and crashes', () => {
  test('two concurrent runs of one pipeline execute each action once and both succeed', async () => {
    const dir = createSliceProject({ samplesPerLabel: 20 });
    writePipeline(dir, slicePipeline({ delayMs: 20 })); // ~0.8 s of scale work: the runs overlap
    const [a, b] = await Promise.all([runJson(dir), runJson(dir)]);
    expect(a.result.code).toBe(0);
    expect(b.result.code).toBe(0);
    for (const name of ['ingest', 'scale', 'summary']) {
      const statuses = [block(a.manifest, name).status, block(b.manifest, name).status].sort();
      expect(statuses, name).toEqual(['cached', 'ran']);
      expect(block(a.manifest, name).outputs).toEqual(block(b.manifest, name).outputs);
    }
  });

  test('kill -9 in the middle of a run leaves nothing corrupt; the rerun finishes cleanly with correct results', async () => {
    const reference = createSliceProject({ samplesPerLabel: 25 });
    writePipeline(reference, slicePipeline({ delayMs: 40 }));
    const clean = await runJson(reference);
    expect(clean.result.code).toBe(0);

    const dir = createSliceProject({ samplesPerLabel: 25 });
    writePipeline(dir, slicePipeline({ delayMs: 40 }));
    const child = startCli(['run', dir, '--threads', '1'], {});
    let seenProgress = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        seenProgress += d.toString();
        if (/ingest: ran/.test(seenProgress)) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 600)); // part-way through scale (50 × 40 ms)
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    // Every lock left behind belongs to a dead process: the rerun takes them over at once.
    const rerun = await runJson(dir);
    expect(rerun.result.code).toBe(0);
    expect(block(rerun.manifest, 'ingest').status).toBe('cached');
    expect(block(rerun.manifest, 'scale').status).toBe('ran');
    expect(rerun.manifest.blocks.map((b) => b.outputs)).toEqual(clean.manifest.blocks.map((b) => b.outputs));
    expect(rerun.manifest.blocks.map((b) => b.actionKey)).toEqual(clean.manifest.blocks.map((b) => b.actionKey));
  });

  test('a corrupted cache blob is detected, reported, and recomputed — never used', async () => {
    const dir = createSliceProject();
    const first = await runJson(dir);
    const ingestManifest = JSON.parse(readFileSync(casPath(dir, block(first.manifest, 'ingest').outputs.samples!), 'utf8')) as { samples: { digest: string }[] };
    const victim = casPath(dir, ingestManifest.samples[3]!.digest);
    const bytes = readFileSync(victim);
    bytes[bytes.length - 1] ^= 0xff; // flip one value's bits
    writeFileSync(victim, bytes);

    // A param change makes scale read every ingest sample again, the corrupt one included.
    const rerun = await runJson(dir, ['--set', 'scale.factor=7']);
    expect(rerun.result.code).toBe(0);
    expect(rerun.manifest.integrityRecovery).toMatch(/cache blob is corrupt/);
    expect(rerun.result.stderr).toBe('');
    // The ingest sample was recomputed from its file, so the result equals a clean project's.
    const cleanDir = createSliceProject();
    const clean = await runJson(cleanDir, ['--set', 'scale.factor=7']);
    expect(rerun.manifest.blocks.map((b) => b.outputs)).toEqual(clean.manifest.blocks.map((b) => b.outputs));
    expect(block(rerun.manifest, 'ingest').counters.samplesComputed).toBe(1);
    expect(existsSync(victim)).toBe(true);
    expect(readFileSync(victim).equals(bytes)).toBe(false);
  });

  test('a corrupt action-cache entry is a miss, not a crash', async () => {
    const dir = createSliceProject();
    const first = await runJson(dir);
    const key = block(first.manifest, 'summary').actionKey!;
    writeFileSync(join(dir, '.tinyforge/cache/ac', key.slice(0, 2), key), '{"format":1,"actionKey":');
    const rerun = await runJson(dir);
    expect(rerun.result.code).toBe(0);
    expect(block(rerun.manifest, 'summary').status).toBe('ran');
    expect(readdirSync(join(dir, '.tinyforge/cache/locks')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });
});

describe('Ctrl-C', () => {
  test('SIGINT cancels cleanly: exit 1, nothing half-written published, finished samples kept, rerun correct', async () => {
    const reference = createSliceProject({ samplesPerLabel: 40 });
    writePipeline(reference, slicePipeline({ delayMs: 50 }));
    const clean = await runJson(reference);

    const dir = createSliceProject({ samplesPerLabel: 40 });
    writePipeline(dir, slicePipeline({ delayMs: 50 })); // 80 × 50 ms of scale work on one thread
    const child = startCli(['run', dir, '--threads', '1'], {});
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/ingest: ran/.test(out)) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(1);
    expect(err).toContain('cancelled');
    expect(out + err).toMatch(/scale: failed \[FAILED: cancelled\]/);
    // No temp files left in the store.
    const leftovers = execFileSync('find', [join(dir, '.tinyforge'), '-name', '*.tmp-*'], { encoding: 'utf8' });
    expect(leftovers).toBe('');
    const rerun = await runJson(dir);
    expect(rerun.result.code).toBe(0);
    expect(block(rerun.manifest, 'ingest').status).toBe('cached');
    // The samples scale finished before Ctrl-C were kept.
    expect(block(rerun.manifest, 'scale').counters.samplesCached).toBeGreaterThan(0);
    expect(rerun.manifest.blocks.map((b) => b.outputs)).toEqual(clean.manifest.blocks.map((b) => b.outputs));
  });
});
