/**
 * Docker block overhead: what one container run costs the runner once the image exists
 * (create → wait → attach → start → exit → remove, with the hermetic settings blocks get),
 * for a no-op image (FROM scratch + a 129-byte static x86-64 program that exits 0) and for the
 * host-node test image (`node -e 0`). Also: an Edge Impulse DSP block's server from start to
 * stop (the Python fixture), connecting to the engine, and resolving a block's image when it is
 * already built (what every run pays for the action key).
 * Needs a Docker engine (test/support/docker-engine.ts starts dockerd if it can).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_IMAGE, dockerEngine, ensureNodeImage, ensurePythonImage } from '../support/docker-engine.js';
import { block, createSliceProject, runJson, writePipeline, writeSampleCsv } from '../support/slice-project.js';
import { startService } from '../../runner/src/docker/service-container.js';
import { connectDocker } from '../../runner/src/docker/engine.js';
import { resolveImage } from '../../runner/src/docker/image.js';
import { grantWrite, runContainer, settleRemovals, type ContainerOutcome } from '../../runner/src/docker/run-container.js';

const RUNS = 10;
const engine = await dockerEngine();
if (!engine.ok) {
  console.log(`docker.noop_container_run: not measured (${engine.reason})`);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
await ensureNodeImage(engine.docker);

const quiet = { info() {}, warn() {}, debug() {} };
const signal = new AbortController().signal;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let t0 = performance.now();
await connectDocker();
const connectMs = performance.now() - t0;

// The no-op image, built through the runner's own Dockerfile path (tar context, followProgress).
const work = mkdtempSync(join(tmpdir(), 'tinyforge-bench-docker-'));
const context = join(work, 'noop');
mkdirSync(context);
writeFileSync(join(context, 'noop'), exitZeroElf(), { mode: 0o755 });
writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY noop /noop\nENTRYPOINT ["/noop"]\n');
const noop = arch() === 'x64' ? await resolveImage({ context }, { baseDir: work, signal, log: quiet }) : undefined;
t0 = performance.now();
const resolves: number[] = [];
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  await resolveImage({ context }, { baseDir: work, signal, log: quiet });
  resolves.push(performance.now() - t0);
}

const inDir = join(work, 'in');
const outDir = join(work, 'out');
mkdirSync(inDir);
mkdirSync(outDir);
await grantWrite(outDir);

/**
 * Median wall time per run. The runner removes a container in the background, overlapping the
 * next run (and the block's output collection): `total` is the time between runs back to back,
 * removal included as it overlaps; `settled` also waits for the removal before the next run.
 */
async function measure(image: string, args: string[], overlapRemove = true): Promise<{ total: number; parts: ContainerOutcome['timing'] }> {
  const totals: number[] = [];
  const outcomes: ContainerOutcome[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t = performance.now();
    const outcome = await runContainer({
      image,
      args,
      mounts: [
        { hostPath: inDir, containerPath: '/data/in', readOnly: true },
        { hostPath: outDir, containerPath: '/data/out', readOnly: false },
      ],
      timeoutMs: 30_000,
      memoryMb: 256,
      cpus: 1,
      signal,
      log: quiet,
      name: 'bench',
    });
    if (outcome.exitCode !== 0) throw new Error(`exit ${outcome.exitCode}: ${outcome.lastLines.join(' | ')}`);
    if (!overlapRemove) await outcome.removed;
    if (i > 0) {
      totals.push(performance.now() - t);
      outcomes.push(outcome);
    }
  }
  await settleRemovals();
  const parts = { create: median(outcomes.map((o) => o.timing.create)), start: median(outcomes.map((o) => o.timing.start)), run: median(outcomes.map((o) => o.timing.run)), remove: median(outcomes.map((o) => o.timing.remove)) };
  return { total: median(totals), parts };
}

const fmt = (p: ContainerOutcome['timing']) => `create ${p.create.toFixed(0)} / start ${p.start.toFixed(0)} / run ${p.run.toFixed(0)} / remove ${p.remove.toFixed(0)} ms`;
if (noop) {
  const r = await measure(noop.id, []);
  const settled = await measure(noop.id, [], false);
  console.log(`docker.noop_container_run: ${r.total.toFixed(0)} ms (goal ≤ 250 ms; median of ${RUNS}, back to back, removal overlapping the next run; ${fmt(r.parts)})`);
  console.log(`docker.noop_container_run_settled: ${settled.total.toFixed(0)} ms (no goal; the same, each removal awaited before the next run)`);
} else {
  console.log(`docker.noop_container_run: not measured (the no-op program is x86-64; this is ${arch()})`);
}
const n = await measure(NODE_IMAGE, ['node', '-e', '0']);
console.log(`docker.node_e0_container_run: ${n.total.toFixed(0)} ms (no goal; node start-up included; ${fmt(n.parts)})`);

// An Edge Impulse DSP block's server (the Python test fixture): internal network + container,
// until GET / answers, one POST /run, then stop (container and network removed).
if (!(await ensurePythonImage(engine.docker))) {
  const dspContext = fileURLToPath(new URL('../fixtures/docker/py-dsp', import.meta.url));
  const dsp = await resolveImage({ context: dspContext }, { baseDir: work, signal, log: quiet });
  const phases = { ready: [] as number[], request: [] as number[], stop: [] as number[] };
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    const service = await startService({ image: dsp.id, port: 4446, timeoutMs: 60_000, readyTimeoutMs: 30_000, memoryMb: 512, cpus: 1, signal, log: quiet, name: 'bench-dsp' });
    const t1 = performance.now();
    const body = { features: Array.from({ length: 60 }, (_, k) => Math.sin(k)), axes: ['x', 'y', 'z'], sampling_freq: 100, draw_graphs: false, implementation_version: 2, params: { scale_axes: 1 } };
    const answer = await service.http.send('POST', '/run', { body, signal });
    if (!JSON.parse(answer.text).features) throw new Error(`DSP answer without features: ${answer.text}`);
    const t2 = performance.now();
    await service.stop();
    if (i > 0) {
      phases.ready.push(t1 - t);
      phases.request.push(t2 - t1);
      phases.stop.push(performance.now() - t2);
    }
  }
  const total = median(phases.ready) + median(phases.request) + median(phases.stop);
  console.log(`docker.dsp_server_overhead: ${total.toFixed(0)} ms (no goal; per DSP block run: network + container up until GET / answers ${median(phases.ready).toFixed(0)} ms (python + numpy import included) / first POST /run ${median(phases.request).toFixed(0)} ms / stop ${median(phases.stop).toFixed(0)} ms)`);
  await dspBlockPerSample(dspContext);
} else {
  console.log('docker.dsp_server_overhead: not measured (no python3-numpy for the test image)');
}
console.log(`docker.engine_connect: ${connectMs.toFixed(0)} ms (no goal; import dockerode + ping + orphan sweep, once per run)`);
console.log(`docker.resolve_built_image: ${median(resolves).toFixed(1)} ms (no goal; hash context + inspect, per Docker block per run)`);
rmSync(work, { recursive: true, force: true });

/**
 * The DSP container block in a pipeline, cached per sample: block time of a first run over 120
 * samples, after adding one (a batch of 1), and after removing one (no container).
 */
async function dspBlockPerSample(fixture: string): Promise<void> {
  const dir = createSliceProject({ samplesPerLabel: 60 });
  cpSync(fixture, join(dir, 'blocks/py-dsp'), { recursive: true });
  writePipeline(dir, { name: 'bench-dsp', blocks: { ingest: { block: 'slice/csv@1', params: { directory: 'data', intervalMs: 10 } }, dsp: { block: './blocks/py-dsp', inputs: { samples: 'ingest' } } } });
  const dspMs = async (): Promise<string> => {
    const run = await runJson(dir);
    if (run.result.code !== 0) throw new Error(run.result.stderr);
    const b = block(run.manifest, 'dsp');
    return `${b.ms.toFixed(0)} ms (${b.counters.samplesComputed} computed)`;
  };
  const first = await dspMs();
  writeSampleCsv(dir, 'wave', 60);
  const added = await dspMs();
  rmSync(join(dir, 'data/idle/idle.00000.csv'));
  const removed = await dspMs();
  console.log(`docker.dsp_block_per_sample: first run ${first}, one sample added ${added}, one removed ${removed} (no goal; 120 samples, Python fixture)`);
  rmSync(dir, { recursive: true, force: true });
}

/** A static x86-64 Linux program that calls exit(0): ELF header, one program header, 9 bytes of code. */
function exitZeroElf(): Buffer {
  const code = Buffer.from([0xb8, 0x3c, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05]); // mov eax,60; xor edi,edi; syscall
  const base = 0x400000n;
  const size = 64 + 56 + code.length;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little-endian, v1
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // x86-64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(base + 120n, 24); // entry
  b.writeBigUInt64LE(64n, 32); // program headers at 64
  b.writeUInt16LE(64, 52); // header size
  b.writeUInt16LE(56, 54); // program header size
  b.writeUInt16LE(1, 56); // one program header
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68); // R+X
  b.writeBigUInt64LE(0n, 72); // offset
  b.writeBigUInt64LE(base, 80); // vaddr
  b.writeBigUInt64LE(base, 88); // paddr
  b.writeBigUInt64LE(BigInt(size), 96); // filesz
  b.writeBigUInt64LE(BigInt(size), 104); // memsz
  b.writeBigUInt64LE(0x1000n, 112); // align
  code.copy(b, 120);
  return b;
}
