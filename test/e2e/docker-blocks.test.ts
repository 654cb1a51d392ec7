/**
 * Docker blocks against a real engine: an Edge Impulse-layout Node transform block and a Python
 * (numpy) learning block, built from Dockerfiles in the test, run inside a pipeline through the CLI.
 * Without an engine these tests skip with the reason; under CI=true they fail instead.
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FileSetReader } from '@tinyforge/sdk';
import { findStateRoot, openStore } from '@tinyforge/runner';
import { decodeNpy } from '../../runner/src/docker/npy.js';
import { IN_CI, NODE_IMAGE, containerCount, dockerEngine, ensureNodeImage, ensurePythonImage } from '../support/docker-engine.js';
import { REPO_ROOT, block, createSliceProject, readSampleSet, runCli, runJson, watchCli, writePipeline } from '../support/slice-project.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/docker');
const engine = await dockerEngine();
let unavailable = engine.ok ? '' : engine.reason;
if (engine.ok) {
  await ensureNodeImage(engine.docker);
  unavailable = (await ensurePythonImage(engine.docker)) ?? '';
}
if (unavailable) console.log(`Docker block tests ${IN_CI ? 'FAIL' : 'skipped'}: ${unavailable}`);
const runDocker = !unavailable || IN_CI;

function dockerProject(gainParams: Record<string, unknown> = {}, learnParams: Record<string, unknown> = {}): string {
  const dir = createSliceProject({ samplesPerLabel: 6 });
  cpSync(join(FIXTURES, 'node-transform'), join(dir, 'blocks/node-transform'), { recursive: true });
  cpSync(join(FIXTURES, 'py-learn'), join(dir, 'blocks/py-learn'), { recursive: true });
  writeDockerPipeline(dir, gainParams, learnParams);
  return dir;
}

function writeDockerPipeline(dir: string, gainParams: Record<string, unknown> = {}, learnParams: Record<string, unknown> = {}): void {
  writePipeline(dir, {
    name: 'docker',
    blocks: {
      ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } },
      gain: { block: './blocks/node-transform', params: { gain: 3, ...gainParams }, inputs: { samples: 'ingest' } },
      raw: { block: 'dsp/raw@1', inputs: { samples: 'gain' } },
      learn: { block: './blocks/py-learn', params: learnParams, inputs: { features: 'raw' } },
    },
  });
}

async function imageCount(): Promise<number> {
  return (await engine.docker.listImages()).length;
}

/** The host's address on Docker's default bridge (docker0), where containers with a network reach it. */
async function bridgeGateway(): Promise<string> {
  const local = networkInterfaces().docker0?.find((a) => a.family === 'IPv4')?.address;
  if (local) return local;
  const config = ((await engine.docker.getNetwork('bridge').inspect()) as { IPAM: { Config: { Gateway?: string; Subnet: string }[] } }).IPAM.Config[0]!;
  return config.Gateway ?? config.Subnet.replace(/\.0\/\d+$/, '.1');
}

describe.runIf(runDocker)('Docker blocks (real engine)', () => {
  let before = 0;
  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true and the Docker engine is not usable: ${unavailable}`);
    before = await containerCount(engine.docker);
  });
  afterAll(async () => {
    if (!unavailable) expect(await containerCount(engine.docker), 'containers left behind').toBe(before);
  });

  test('transform + learning blocks run in a pipeline, are cached, and re-run when their Dockerfile changes', async () => {
    const dir = dockerProject();
    const first = await runJson(dir);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.manifest.blocks.map((b) => b.status)).toEqual(['ran', 'ran', 'ran', 'ran']);

    // The transform's output is its input × gain, sample by sample (ids, labels and split kept).
    const input = (await readSampleSet(dir, block(first.manifest, 'ingest').outputs.samples!)).samples;
    const scaled = (await readSampleSet(dir, block(first.manifest, 'gain').outputs.samples!)).samples;
    expect(scaled.map((s) => [s.id, s.label, s.category])).toEqual(input.map((s) => [s.id, s.label, s.category]));
    scaled.forEach((s, i) => expect(Array.from(s.values)).toEqual(Array.from(input[i]!.values, (v) => Math.fround(v * 3))));

    // The model holds the class centroids of the training split: recompute them here.
    const store = await openStore(findStateRoot(dir), {});
    const model = (await store.artifacts.reader(block(first.manifest, 'learn').outputs.model!)) as FileSetReader;
    expect(model.files.map((f) => f.name).sort()).toEqual(['centroids.npy', 'model.json', 'sample_id_details.json']);
    const split = await model.readJson<{ train: string[]; validation: string[] }>('sample_id_details.json');
    expect(split.train.length + split.validation.length).toBe(12);
    expect(split.validation.length).toBe(2);
    const features = (await readSampleSet(dir, block(first.manifest, 'raw').outputs.features!)).samples;
    const labels = (model.meta.labels as string[]) ?? [];
    expect(labels).toEqual(['idle', 'wave']);
    const centroids = decodeNpy(await model.readFile('centroids.npy'));
    expect(centroids.shape).toEqual([2, 60]);
    labels.forEach((label, c) => {
      const rows = features.filter((f) => f.label === label && split.train.includes(f.id));
      for (let j = 0; j < 60; j++) {
        const mean = rows.reduce((a, r) => a + r.values[j]!, 0) / rows.length;
        expect(centroids.data[c * 60 + j]).toBeCloseTo(mean, 4);
      }
    });

    // Nothing changed: everything cached, same outputs.
    const second = await runJson(dir);
    expect(second.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached', 'cached']);
    expect(second.manifest.blocks.map((b) => b.outputs)).toEqual(first.manifest.blocks.map((b) => b.outputs));

    // A changed Dockerfile gives a new image, so the block re-runs; its output is the same, so
    // what reads it stays cached.
    // (A value never built before, so the image cannot exist yet from an earlier test run.)
    appendFileSync(join(dir, 'blocks/node-transform/Dockerfile'), `\nENV TOUCHED=${process.pid}-${Date.now()}\n`);
    // status explains it without building anything (a build can take minutes).
    const imagesBefore = await imageCount();
    const status = await runCli(['status', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/gain\s+will run: its container image is not built yet \(run builds it\); its code changed \(local block\)/);
    expect(await imageCount()).toBe(imagesBefore);
    const third = await runJson(dir);
    expect(third.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'ran', 'cached', 'cached']);
    expect(block(third.manifest, 'gain').actionKey).not.toBe(block(first.manifest, 'gain').actionKey);
    appendFileSync(join(dir, 'blocks/py-learn/train.py'), '\n# touched\n');
    const fourth = await runJson(dir);
    expect(fourth.manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached', 'ran']);

    // A param reaches the container as --shrink: the centroids move towards the mean.
    writeDockerPipeline(dir, {}, { shrink: 1 });
    const shrunk = await runJson(dir);
    expect(block(shrunk.manifest, 'learn').status).toBe('ran');
    const m2 = (await store.artifacts.reader(block(shrunk.manifest, 'learn').outputs.model!)) as FileSetReader;
    const c2 = decodeNpy(await m2.readFile('centroids.npy'));
    for (let j = 0; j < 60; j++) expect(c2.data[j]).toBeCloseTo(c2.data[60 + j]!, 5);
  });

  test('the sandbox: no network (a control container with a network reaches the same host), inputs read-only, not root', async () => {
    const server: Server = createServer((socket) => socket.end());
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
    const port = (server.address() as { port: number }).port;
    try {
      const gateway = await bridgeGateway();
      // Control: the same probe with a network does connect, so the probe can tell.
      const probe = `require('net').connect({host:'${gateway}',port:${port}}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})`;
      const control = await engine.docker.createContainer({ Image: NODE_IMAGE, Cmd: ['node', '-e', probe], HostConfig: { NetworkMode: 'bridge' } });
      await control.start();
      const controlExit = await control.wait();
      await control.remove({ force: true });
      expect(controlExit.StatusCode, 'control container should reach the host').toBe(0);

      const dir = dockerProject({ mode: 'network', 'probe-host': gateway, 'probe-port': port });
      const net = await runCli(['run', dir]);
      expect(net.code, net.stdout + net.stderr).toBe(0);
      expect(net.stdout + net.stderr).toMatch(/network probe: (ENETUNREACH|EHOSTUNREACH|ECONNREFUSED|timeout)/);
      expect(net.stdout + net.stderr).toMatch(/uid 65534/);

      writeDockerPipeline(dir, { mode: 'write-input' });
      const ro = await runCli(['run', dir]);
      expect(ro.code, ro.stdout + ro.stderr).toBe(0);
      expect((ro.stdout + ro.stderr).match(/write to input refused: EROFS/g)).toHaveLength(2);
    } finally {
      server.close();
    }
  });

  test("status names an image that is not pulled yet, and pulls nothing", async () => {
    const dir = createSliceProject();
    mkdirSync(join(dir, 'blocks'), { recursive: true });
    writeFileSync(
      join(dir, 'blocks/pulled.mjs'),
      `import { defineContainerBlock } from '@tinyforge/sdk';
import { z } from 'zod';
export default defineContainerBlock({ id: 'local/pulled', version: '1.0.0', apiVersion: 1, kind: 'transform', params: z.object({}),
  inputs: { samples: 'dataset' }, outputs: { samples: 'dataset' }, runtime: { image: 'tinyforge-test/never-pulled:${process.pid}' } });
`,
    );
    writePipeline(dir, { name: 'pulled', blocks: { ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } }, pulled: { block: './blocks/pulled.mjs', inputs: { samples: 'ingest' } } } });
    const imagesBefore = await imageCount();
    const status = await runCli(['status', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/pulled\s+will run: its input comes from "ingest", which will run; its container image is not pulled yet \(run pulls it\)/);
    expect(await imageCount()).toBe(imagesBefore);
  });

  test('a block over its timeout is killed, the run says so, and no container is left', async () => {
    const dir = dockerProject({ mode: 'sleep', 'sleep-sec': 60, container: { timeoutSec: 2 } });
    const count = await containerCount(engine.docker);
    const t0 = performance.now();
    const { result, manifest } = await runJson(dir);
    const seconds = (performance.now() - t0) / 1000;
    expect(result.code).toBe(1);
    expect(block(manifest, 'gain').status).toBe('failed');
    expect(block(manifest, 'gain').error).toMatch(/timed out after 2 s and was killed/);
    expect(block(manifest, 'gain').error).toMatch(/sleeping 60 s/);
    expect(seconds).toBeLessThan(20);
    expect(await containerCount(engine.docker)).toBe(count);
  });

  test('a crash fails the block with its last output lines and publishes nothing', async () => {
    const dir = dockerProject({ mode: 'crash' });
    const crashed = await runJson(dir);
    expect(crashed.result.code).toBe(1);
    const gain = block(crashed.manifest, 'gain');
    expect(gain.status).toBe('failed');
    expect(gain.error).toMatch(/container exited with code 3/);
    expect(gain.error).toMatch(/loading samples/);
    expect(gain.error).toMatch(/fatal: the gain stage exploded/);
    expect(gain.outputs).toEqual({});
    expect(block(crashed.manifest, 'learn').status).not.toBe('ran');
    // Nothing was cached for the crashed action: the same run fails again.
    const again = await runJson(dir);
    expect(block(again.manifest, 'gain').status).toBe('failed');

    writeDockerPipeline(dir, {}, { crash: true });
    const learnCrash = await runJson(dir);
    expect(block(learnCrash.manifest, 'gain').status).toBe('ran');
    expect(block(learnCrash.manifest, 'learn').error).toMatch(/exited with code 2[\s\S]*Traceback: ValueError: centroids diverged/);
    expect(learnCrash.result.stderr + learnCrash.result.stdout).not.toMatch(/at .*\.js:\d+/);
  });

  test('Ctrl-C stops the running container and removes it', async () => {
    const dir = dockerProject({ mode: 'sleep', 'sleep-sec': 60 });
    const count = await containerCount(engine.docker);
    const run = watchCli(['run', dir]);
    await run.waitFor(async () => run.output().includes('sleeping 60 s') && (await engine.docker.listContainers({ filters: { label: ['dev.tinyforge.block=gain'] } })).length > 0);
    expect(run.output()).toContain('sleeping 60 s');
    const t0 = performance.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(await containerCount(engine.docker)).toBe(count);
  });
});

describe('Docker blocks without an engine', () => {
  // A TCP "engine" that only counts connections: DOCKER_HOST=tcp://127.0.0.1:<port>.
  let connections = 0;
  let server: Server;
  let dockerHost = '';
  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dockerHost = `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  test('a pipeline with no Docker blocks never contacts the engine', async () => {
    const dir = createSliceProject();
    const { result } = await runJson(dir, [], { DOCKER_HOST: dockerHost });
    expect(result.code).toBe(0);
    expect(connections).toBe(0);
  });

  test('a Docker block with no engine fails with one line saying so and how to start one (DOCKER_HOST honoured)', async () => {
    const dir = dockerProject();
    const { result, manifest } = await runJson(dir, [], { DOCKER_HOST: dockerHost });
    expect(result.code).toBe(1);
    expect(connections).toBeGreaterThan(0);
    const error = block(manifest, 'gain').error ?? '';
    expect(error).toContain(`no Docker engine is reachable at ${dockerHost}`);
    expect(error).toMatch(/start one \(sudo systemctl start docker, or sudo dockerd &\)/);
    expect(error.split('\n')).toHaveLength(1);
    expect(block(manifest, 'ingest').status).toBe('ran');
    const missing = await runCli(['run', dir], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(missing.stdout + missing.stderr).toContain('no Docker engine is reachable at unix:///nonexistent/docker.sock (ENOENT)');
  });

  test('blocks types writes TypeScript types from parameters.json that reject wrong params', async () => {
    const dir = dockerProject();
    const out = await runCli(['blocks', 'types', join(dir, 'blocks/node-transform')]);
    expect(out.code, out.stderr).toBe(0);
    const dts = readFileSync(join(dir, 'blocks/node-transform/parameters.d.ts'), 'utf8');
    expect(dts).toContain('export interface EiNodeTransformParams');
    expect(dts).toMatch(/gain\?: number/);
    expect(dts).toMatch(/mode\?: \(?"normal" \| "network" \| "write-input" \| "sleep" \| "crash"\)?;?\n/);
    // One small program (es5 lib only: fast) with one case per line; diagnostics by line.
    const { default: ts } = await import('typescript');
    const cases = [`{ gain: 2, mode: 'sleep', container: { timeoutSec: 5 } }`, `{ gain: 'loud' }`, `{ mode: 'explode' }`, `{ gian: 2 }`];
    const file = join(dir, 'check.ts');
    const source = [`import type { EiNodeTransformParams } from './blocks/node-transform/parameters.js';`, ...cases.map((c, i) => `export const p${i} = ${c} satisfies EiNodeTransformParams;`)].join('\n');
    const options = { strict: true, noEmit: true, types: [], lib: ['lib.es5.d.ts'], module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    host.readFile = (f) => (f === file ? source : read(f));
    host.fileExists = (f) => f === file || exists(f);
    const program = ts.createProgram([file], options, host);
    const byLine = cases.map(() => [] as string[]);
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      byLine[line - 1]?.push(ts.flattenDiagnosticMessageText(d.messageText, ' '));
    }
    expect(byLine[0]).toEqual([]);
    expect(byLine[1]!.join()).toMatch(/'string' is not assignable to type 'number'/);
    expect(byLine[2]!.join()).toMatch(/"explode"' is not assignable/);
    expect(byLine[3]!.join()).toMatch(/'gian' does not exist/);
  });
});
