/**
 * An Edge Impulse DSP block (parameters.json `type: 'dsp'`, a Python HTTP server on port 4446)
 * run by the real engine inside a pipeline through the CLI: one container per block run on an
 * internal network, samples sent by POST /batch (or /run), features checked against a
 * recomputation here. Without an engine these tests skip with the reason; under CI=true they fail.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { findStateRoot, openStore } from '@tinyforge/runner';
import { IN_CI, NODE_IMAGE, dockerEngine, ensureNodeImage, ensurePythonImage } from '../../../test/support/docker-engine.js';
import { REPO_ROOT, block, createSliceProject, readSampleSet, runJson, watchCli, writePipeline, writeSampleCsv } from '../../../test/support/slice-project.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/docker/py-dsp');
/** The block instance name; the runner labels its container and network with it. */
const NAME = 'axisstats';
const engine = await dockerEngine();
let unavailable = engine.ok ? '' : engine.reason;
if (engine.ok) {
  await ensureNodeImage(engine.docker);
  unavailable = (await ensurePythonImage(engine.docker)) ?? '';
}
if (unavailable) console.log(`Docker DSP block tests ${IN_CI ? 'FAIL' : 'skipped'}: ${unavailable}`);

function dspProject(params: Record<string, unknown> = {}): string {
  const dir = createSliceProject({ samplesPerLabel: 6 });
  cpSync(FIXTURE, join(dir, 'blocks/py-dsp'), { recursive: true });
  cpSync(join(REPO_ROOT, 'test/fixtures/docker/py-learn'), join(dir, 'blocks/py-learn'), { recursive: true });
  writeDspPipeline(dir, params);
  return dir;
}

function writeDspPipeline(dir: string, params: Record<string, unknown> = {}): void {
  writePipeline(dir, {
    name: 'docker-dsp',
    blocks: {
      ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } },
      [NAME]: { block: './blocks/py-dsp', params, inputs: { samples: 'ingest' } },
      learn: { block: './blocks/py-learn', inputs: { features: NAME } },
    },
  });
}

async function logsOf(dir: string, actionKey: string): Promise<string> {
  const store = await openStore(findStateRoot(dir), {});
  return ((await store.actionCache.get(actionKey))?.logs ?? []).join('\n');
}

/** Per axis: mean and RMS of value × scale, as the fixture's dsp.py computes them. */
function axisStats(sample: Sample, scale: number): number[] {
  const axes = sample.sensors.length;
  const frames = sample.values.length / axes;
  const out: number[] = [];
  for (let a = 0; a < axes; a++) {
    let sum = 0;
    let squares = 0;
    for (let f = 0; f < frames; f++) {
      const v = sample.values[f * axes + a]! * scale;
      sum += v;
      squares += v * v;
    }
    out.push(sum / frames, Math.sqrt(squares / frames));
  }
  return out;
}

/** What this block left in the engine: containers (any state) and networks labelled with its name. */
async function leftovers(): Promise<{ containers: number; networks: number }> {
  const filters = { label: [`dev.tinyforge.block=${NAME}`] };
  return {
    containers: (await engine.docker.listContainers({ all: true, filters })).length,
    networks: (await engine.docker.listNetworks({ filters })).length,
  };
}

/** The host's default IPv4 gateway, from /proc/net/route. */
function defaultGateway(): string | undefined {
  const route = readFileSync('/proc/net/route', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000' && f[2] !== '00000000');
  if (!route) return undefined;
  const hex = route[2]!;
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

/** A TCP connect from a container on Docker's default bridge (which has outside access). */
async function controlProbe(target: string): Promise<string> {
  const [host, port] = target.split(':');
  const code = `const s=require('net').connect({host:'${host}',port:${port}});s.setTimeout(3000,()=>{console.log('timeout');process.exit(0)});s.on('connect',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
  const control = await engine.docker.createContainer({ Image: NODE_IMAGE, Cmd: ['node', '-e', code], Tty: true, HostConfig: { NetworkMode: 'bridge' } });
  try {
    await control.start();
    await control.wait();
    const out = await control.logs({ stdout: true, stderr: true });
    return out.toString('utf8').trim();
  } finally {
    await control.remove({ force: true });
  }
}

describe.runIf(!unavailable || IN_CI)('Edge Impulse DSP blocks in Docker (real engine)', () => {
  beforeAll(() => {
    if (unavailable) throw new Error(`CI=true and the Docker engine is not usable: ${unavailable}`);
  });
  afterAll(async () => {
    if (!unavailable) expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });

  test('features come from the container over POST /batch, one container per run, cached, and feed a learning block', async () => {
    const dir = dspProject({ 'scale-axes': 2 });
    const first = await runJson(dir);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.manifest.blocks.map((b) => b.status)).toEqual(['ran', 'ran', 'ran']);

    const input = await readSampleSet(dir, block(first.manifest, 'ingest').outputs.samples!);
    const features = await readSampleSet(dir, block(first.manifest, NAME).outputs.features!);
    expect(features.samples.map((s) => [s.id, s.label, s.category])).toEqual(input.samples.map((s) => [s.id, s.label, s.category]));
    features.samples.forEach((s, i) => {
      const expected = axisStats(input.samples[i]!, 2);
      expect(s.values.length).toBe(6);
      expected.forEach((v, j) => expect(s.values[j]).toBeCloseTo(v, 5));
      // output_config {type: spectrogram, width: 3 axes, height: 2 stats}
      expect(s.shape).toEqual([3, 2]);
    });
    expect(features.meta.shape).toEqual([3, 2]);
    expect(features.meta.featureNames).toEqual(['x mean', 'x rms', 'y mean', 'y rms', 'z mean', 'z rms']);
    expect(features.meta.labels).toEqual(['idle', 'wave']);
    expect(features.meta.dsp).toMatchObject({ block: 'ei/py-dsp', implementationVersion: 2 });

    // One server for the whole block: it started once and got all 12 samples in one batch.
    const logs = await logsOf(dir, block(first.manifest, NAME).actionKey!);
    expect(logs.match(/listening on port 4446/g)).toHaveLength(1);
    expect(logs).toContain('batch of 12 samples');

    const second = await runJson(dir);
    expect(second.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));
    expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });

  test('cached per sample: an added sample is the only one sent; a removed one starts no container; a forced run agrees', async () => {
    const dir = dspProject({ 'scale-axes': 2 });
    const first = await runJson(dir);
    expect(first.result.code, first.result.stderr).toBe(0);

    writeSampleCsv(dir, 'wave', 6);
    const added = await runJson(dir);
    expect(added.result.code, added.result.stderr).toBe(0);
    const dsp = block(added.manifest, NAME);
    expect([dsp.status, dsp.counters]).toEqual(['ran', { samplesComputed: 1, samplesCached: 12 }]);
    const logs = await logsOf(dir, dsp.actionKey!);
    expect(logs).toContain('batch of 1 samples');
    const input = await readSampleSet(dir, block(added.manifest, 'ingest').outputs.samples!);
    const features = await readSampleSet(dir, dsp.outputs.features!);
    expect(features.samples.map((s) => s.id)).toEqual(input.samples.map((s) => s.id));
    features.samples.forEach((s, i) => axisStats(input.samples[i]!, 2).forEach((v, j) => expect(s.values[j]).toBeCloseTo(v, 5)));
    // The server's meta (output_config, feature names) survives a partial run; labels and counts cover all 13.
    expect(features.meta.featureNames).toEqual(['x mean', 'x rms', 'y mean', 'y rms', 'z mean', 'z rms']);
    expect(features.meta.counts).toEqual({ train: expect.any(Number), test: expect.any(Number) });
    expect((features.meta.counts as { train: number; test: number }).train + (features.meta.counts as { train: number; test: number }).test).toBe(13);

    // Every sample computed afresh gives the same artifact, byte for byte.
    const forced = await runJson(dir, ['--force', NAME]);
    expect(block(forced.manifest, NAME).counters).toEqual({ samplesComputed: 13, samplesCached: 0 });
    expect(block(forced.manifest, NAME).outputs).toEqual(dsp.outputs);

    // Removing a sample changes the input, not any sample's features: no container runs.
    rmSync(join(dir, 'data/idle/idle.00002.csv'));
    const removed = await runJson(dir);
    const after = block(removed.manifest, NAME);
    expect([after.status, after.counters]).toEqual(['ran', { samplesComputed: 0, samplesCached: 12 }]);
    expect(await logsOf(dir, after.actionKey!)).not.toContain('listening on port');
    const kept = await readSampleSet(dir, after.outputs.features!);
    expect(kept.samples.map((s) => s.id)).not.toContain('idle/idle.00002.csv');
    expect(kept.meta.featureNames).toEqual(['x mean', 'x rms', 'y mean', 'y rms', 'z mean', 'z rms']);

    // New params: nothing is reused.
    writeDspPipeline(dir, { 'scale-axes': 3 });
    const rescaled = await runJson(dir);
    expect(block(rescaled.manifest, NAME).counters).toEqual({ samplesComputed: 12, samplesCached: 0 });
    expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });

  test('without /batch the samples go one by one to /run; params reach the server with - turned into _', async () => {
    const dir = dspProject({ 'scale-axes': 0.5, 'no-batch': true });
    const run = await runJson(dir);
    expect(run.result.code, run.result.stderr).toBe(0);
    const input = await readSampleSet(dir, block(run.manifest, 'ingest').outputs.samples!);
    const features = await readSampleSet(dir, block(run.manifest, NAME).outputs.features!);
    features.samples.forEach((s, i) => axisStats(input.samples[i]!, 0.5).forEach((v, j) => expect(s.values[j]).toBeCloseTo(v, 5)));
    expect(await logsOf(dir, block(run.manifest, NAME).actionKey!)).not.toContain('batch of');
  });

  test('{success: false} fails the block with the sample named and publishes nothing', async () => {
    const dir = dspProject();
    const ingest = await runJson(dir);
    const input = await readSampleSet(dir, block(ingest.manifest, 'ingest').outputs.samples!);
    // The slice data repeats across labels: the first sample with this first value is the one hit.
    const round4 = (v: number) => Math.round(v * 1e4);
    const victim = input.samples.find((s) => round4(s.values[0]!) === round4(input.samples[7]!.values[0]!))!;
    writeDspPipeline(dir, { 'fail-on': victim.values[0]!.toFixed(6) });
    const { result, manifest } = await runJson(dir);
    expect(result.code).toBe(1);
    const failed = block(manifest, NAME);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(`ei/py-dsp failed on sample "${victim.id}": refusing frame 0`);
    expect(failed.outputs).toEqual({});
    expect(block(manifest, 'learn').status).not.toBe('ran');
    expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });

  test('the container reaches no other machine: neither the host\'s default gateway nor another container (control containers do)', async () => {
    // Another "machine" for sure: a server in a container on Docker's default bridge.
    const peer = await engine.docker.createContainer({ Image: NODE_IMAGE, Cmd: ['node', '-e', "require('net').createServer((s) => s.end()).listen(7777)"], HostConfig: { NetworkMode: 'bridge' } });
    try {
      await peer.start();
      const peerTarget = `${(await peer.inspect()).NetworkSettings.Networks.bridge!.IPAddress}:7777`;
      let answers = false;
      for (let i = 0; i < 20 && !answers; i++) {
        answers = (await controlProbe(peerTarget)) === 'connected';
        if (!answers) await new Promise((r) => setTimeout(r, 200));
      }
      expect(answers, 'the peer should answer a control container on its bridge').toBe(true);
      // Off the host: the default gateway, on a port where a control container on Docker's
      // bridge (with outside access) gets an answer (connected, or refused: a reply came back).
      const gateway = defaultGateway();
      let outside: string | undefined;
      for (const port of [53, 80, 443, 22]) {
        if (!gateway) break;
        const result = await controlProbe(`${gateway}:${port}`);
        if (result === 'connected' || result === 'ECONNREFUSED') {
          outside = `${gateway}:${port}`;
          break;
        }
      }
      if (!outside) console.log(`no off-host address answers a control container here (default gateway ${gateway ?? 'none'}): only the container-to-container probe is checked`);

      const targets = [peerTarget, ...(outside ? [outside] : [])];
      const dir = dspProject({ probe: targets.join(',') });
      const run = await runJson(dir);
      expect(run.result.code, run.result.stderr).toBe(0);
      const logs = await logsOf(dir, block(run.manifest, NAME).actionKey!);
      for (const target of targets) expect(logs).toMatch(new RegExp(`network probe: ${target.replace(/\./g, '\\.')} (timeout|ENETUNREACH|EHOSTUNREACH)`));
    } finally {
      await peer.remove({ force: true });
    }
  });

  test('a server over its timeout is killed, the run says so, and nothing is left', async () => {
    const dir = dspProject({ 'sleep-sec': 60, container: { timeoutSec: 3 } });
    const t0 = performance.now();
    const { result, manifest } = await runJson(dir);
    expect(result.code).toBe(1);
    expect(block(manifest, NAME).error).toMatch(/timed out and was killed/);
    expect(block(manifest, NAME).error).toMatch(/sleeping 60 s/);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });

  test('Ctrl-C stops the server and removes its container and network', async () => {
    const dir = dspProject({ 'sleep-sec': 60 });
    const run = watchCli(['run', dir]);
    await run.waitFor(() => run.output().includes('sleeping 60 s'));
    expect(run.output()).toContain('sleeping 60 s');
    expect((await leftovers()).containers).toBe(1);
    const t0 = performance.now();
    run.child.kill('SIGINT');
    expect(await run.exited).not.toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });
  test('a runner killed with -9 leaves its server behind; the next run removes container and network', async () => {
    const dir = dspProject({ 'sleep-sec': 60 });
    const run = watchCli(['run', dir]);
    await run.waitFor(() => run.output().includes('sleeping 60 s'));
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await leftovers()).toEqual({ containers: 1, networks: 1 });
    writeDspPipeline(dir, { 'scale-axes': 3 });
    const next = await runJson(dir);
    expect(next.result.code, next.result.stderr).toBe(0);
    expect(await leftovers()).toEqual({ containers: 0, networks: 0 });
  });
});
