/**
 * The Edge Impulse DSP HTTP protocol against an in-process server (no Docker): batching,
 * the /run fallback, state passing, shapes from output_config, and errors that name the sample.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { TinyforgeError, type JsonObject, type Sample, type SampleSetReader, type SampleSetWriter } from '@tinyforge/sdk';
import type { AnyContext } from './contract.js';
import { HttpClient } from './http-json.js';
import { eiParams, runDspProtocol, shapeOf, type DspOptions } from './protocol-dsp.js';
import type { RunningService } from './service-container.js';

interface Body {
  features: number[] | number[][];
  axes: string[];
  sampling_freq: number;
  implementation_version: number;
  params: Record<string, unknown>;
  state?: string;
}

/** Per axis: sum × scale. */
function axisSums(raw: number[], axes: number, scale: number): number[] {
  const out = new Array<number>(axes).fill(0);
  raw.forEach((v, i) => (out[i % axes]! += v * scale));
  return out;
}

let server: Server | undefined;
afterEach(() => server?.close());

/** An EI-style DSP server: /batch unless `batch` is false; answers per-axis sums; fails on a marker value. */
async function fakeServer(options: { batch?: boolean; state?: boolean } = {}): Promise<{ service: RunningService; requests: { path: string; body: Body }[]; stopped: () => boolean }> {
  const requests: { path: string; body: Body }[] = [];
  let stopped = false;
  server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as Body;
    requests.push({ path: req.url!, body });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const one = (raw: number[]) => {
      if (raw.includes(666)) throw new Error('666 is not allowed');
      return axisSums(raw, body.axes.length, Number(body.params.scale_axes ?? 1));
    };
    const config = { type: 'spectrogram', shape: { width: 1, height: body.axes.length } };
    try {
      if (req.url === '/run') return reply(200, { features: one(body.features as number[]), graphs: [], output_config: config });
      if (req.url === '/batch' && options.batch !== false) {
        const features = (body.features as number[][]).map(one);
        return reply(200, { success: true, features, labels: body.axes, output_config: config, ...(options.state ? { state: `${Number(body.state ?? 0) + 1}` } : {}) });
      }
      return reply(404, 'Invalid path');
    } catch (error) {
      return reply(200, { success: false, error: (error as Error).message });
    }
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const http = new HttpClient('127.0.0.1', port);
  const service: RunningService = {
    host: '127.0.0.1',
    port,
    http,
    exitCode: () => undefined,
    timedOut: () => false,
    lastLines: () => [],
    stop: async () => {
      stopped = true;
      http.close();
    },
  };
  return { service, requests, stopped: () => stopped };
}

function dataset(count: number, frames = 4, axes = 2): Sample[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `s${i}`,
    label: i % 2 ? 'b' : 'a',
    category: i % 5 === 4 ? 'test' : 'train',
    sensors: Array.from({ length: axes }, (_, a) => ({ name: `ax${a}`, units: 'g' })),
    intervalMs: 10,
    values: Float32Array.from({ length: frames * axes }, (_, k) => i + k * 0.25),
  }));
}

function context(samples: Sample[], params: Record<string, unknown> = {}): { ctx: AnyContext; written: Sample[]; meta: () => JsonObject } {
  const written: Sample[] = [];
  let meta: JsonObject = {};
  const reader: SampleSetReader = {
    kind: 'dataset',
    digest: 'd',
    samples: samples.map((s) => ({ id: s.id, label: s.label, category: s.category, digest: s.id })),
    meta: {},
    read: async (ref) => samples.find((s) => s.id === ref.id)!,
    async *[Symbol.asyncIterator]() {
      yield* samples;
    },
  };
  const writer: SampleSetWriter = { kind: 'features', add: async (s) => void written.push(s), setMeta: (m) => void (meta = m) };
  const ctx = {
    params,
    inputs: { samples: reader },
    outputs: { features: writer },
    log: { info() {}, warn() {}, debug() {} },
    progress() {},
    signal: new AbortController().signal,
    scratchDir: '/nonexistent',
    pipelineDir: '/nonexistent',
    blockName: 'stats',
  } as unknown as AnyContext;
  return { ctx, written, meta: () => meta };
}

function options(service: RunningService, params: Record<string, unknown>, starts: { n: number }): DspOptions {
  return {
    blockId: 'ei/fake',
    implementationVersion: 3,
    params,
    start: async () => {
      starts.n++;
      return service;
    },
  };
}

describe('Edge Impulse DSP protocol (in-process server)', () => {
  test('samples go in batches of at most 64 to one server; features, shapes and meta come back per sample', async () => {
    const fake = await fakeServer();
    const samples = dataset(150);
    const params = { 'scale-axes': 2, container: { timeoutSec: 5 } };
    const { ctx, written, meta } = context(samples, params);
    const starts = { n: 0 };
    await runDspProtocol(ctx, options(fake.service, params, starts));
    expect(starts.n).toBe(1);
    expect(fake.stopped()).toBe(true);
    expect(fake.requests.map((r) => [r.path, (r.body.features as number[][]).length])).toEqual([
      ['/batch', 64],
      ['/batch', 64],
      ['/batch', 22],
    ]);
    const body = fake.requests[0]!.body;
    expect(body.params).toEqual({ scale_axes: 2 });
    expect([body.axes, body.sampling_freq, body.implementation_version]).toEqual([['ax0', 'ax1'], 100, 3]);
    expect(written.map((s) => s.id)).toEqual(samples.map((s) => s.id));
    written.forEach((s, i) => {
      expect(Array.from(s.values)).toEqual(axisSums(Array.from(samples[i]!.values), 2, 2).map(Math.fround));
      expect([s.label, s.category, s.shape, s.intervalMs]).toEqual([samples[i]!.label, samples[i]!.category, [1, 2], 0]);
    });
    expect(meta()).toMatchObject({ shape: [1, 2], featureNames: ['ax0', 'ax1'], labels: ['a', 'b'], counts: { train: 120, test: 30 }, dsp: { block: 'ei/fake', implementationVersion: 3 } });
  });

  test('a server without /batch gets every sample on /run', async () => {
    const fake = await fakeServer({ batch: false });
    const samples = dataset(5);
    const { ctx, written } = context(samples);
    await runDspProtocol(ctx, options(fake.service, {}, { n: 0 }));
    expect(fake.requests.map((r) => r.path)).toEqual(['/batch', '/run', '/run', '/run', '/run', '/run']);
    expect(written.map((s) => Array.from(s.values))).toEqual(samples.map((s) => axisSums(Array.from(s.values), 2, 1).map(Math.fround)));
  });

  test('the state a batch answers is sent with the next batch (usesState blocks)', async () => {
    const fake = await fakeServer({ state: true });
    const { ctx } = context(dataset(130));
    await runDspProtocol(ctx, options(fake.service, {}, { n: 0 }));
    expect(fake.requests.map((r) => r.body.state)).toEqual([undefined, '1', '2']);
  });

  test('{success: false} in a batch is traced to the sample that fails, and the server is stopped', async () => {
    const fake = await fakeServer();
    const samples = dataset(10);
    samples[6]!.values[3] = 666;
    const { ctx } = context(samples);
    const run = runDspProtocol(ctx, options(fake.service, {}, { n: 0 }));
    await expect(run).rejects.toThrow(TinyforgeError);
    await expect(run).rejects.toThrow('ei/fake failed on sample "s6": 666 is not allowed');
    expect(fake.stopped()).toBe(true);
  });

  test('no samples: no server is started', async () => {
    const starts = { n: 0 };
    const { ctx, meta } = context([]);
    await runDspProtocol(ctx, options({} as RunningService, {}, starts));
    expect(starts.n).toBe(0);
    expect(meta()).toMatchObject({ labels: [], counts: { train: 0, test: 0 } });
  });

  test('samples with other axes start a new batch', async () => {
    const fake = await fakeServer();
    const samples = [...dataset(3, 4, 2), ...dataset(2, 4, 3).map((s) => ({ ...s, id: `w${s.id}` }))];
    const { ctx, written } = context(samples);
    await runDspProtocol(ctx, options(fake.service, {}, { n: 0 }));
    expect(fake.requests.map((r) => r.body.axes.length)).toEqual([2, 3]);
    expect(written.map((s) => s.values.length)).toEqual([2, 2, 2, 3, 3]);
  });
});

describe('output_config and params', () => {
  test('shapes: spectrogram is frames × coefficients, image is HWC, anything that does not add up is flat', () => {
    expect(shapeOf({ type: 'spectrogram', shape: { width: 49, height: 13 } }, 637)).toEqual([49, 13]);
    expect(shapeOf({ type: 'image', shape: { width: 4, height: 2, channels: 3 } }, 24)).toEqual([2, 4, 3]);
    expect(shapeOf({ type: 'spectrogram', shape: { width: 50, height: 13 } }, 637)).toEqual([637]);
    expect(shapeOf({ type: 'flat', shape: { width: 33 } }, 33)).toEqual([33]);
    expect(shapeOf(undefined, 7)).toEqual([7]);
  });

  test('params keys: - becomes _, the container limits stay out', () => {
    expect(eiParams({ 'scale-axes': 1, 'frame-length': 0.02, plain: 'x', container: { timeoutSec: 1 }, unset: undefined })).toEqual({ scale_axes: 1, frame_length: 0.02, plain: 'x' });
  });
});
