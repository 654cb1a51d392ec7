import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTinyforgeError, type Sample } from '@tinyforge/sdk';
import { datasetAvailable, datasetPath } from '../shared-datasets.js';
import { encodeWav } from '../readers/wav.js';
import { EMPTY_SIGNATURE, signEncodedDocument } from '../signature.js';
import { cropPadSample } from '../../transform/crop-pad/index.js';
import { resampleSample } from '../../transform/resample/index.js';
import type { Resampler } from '../../transform/resample/resample.js';
import filesBlock from './index.js';
import { checkConsistentSignals, samplesFromFile } from './files.js';
import { filesParams, type FilesParams } from './params.js';

function listFiles(root: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(ext)) out.push(relative(root, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

function ingestFolder(root: string, ext: string, params: FilesParams, labels?: Parameters<typeof samplesFromFile>[3]['labels']): Sample[] {
  return listFiles(root, ext).flatMap((rel) => samplesFromFile(rel, readFileSync(join(root, rel)), params, { labels, signature: { allowUnsigned: false } }));
}

function countBy<T>(items: T[], key: (t: T) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) { const k = String(key(it)); out[k] = (out[k] ?? 0) + 1; }
  return out;
}

function errorOf(fn: () => unknown): { code: string; file: string; message: string } {
  try { fn(); } catch (err) {
    expect(isTinyforgeError(err)).toBe(true);
    return err as { code: string; file: string; message: string };
  }
  throw new Error('expected an error');
}

describe.skipIf(!datasetAvailable('kws-speech-commands'))('ingest kws-speech-commands', () => {
  const root = datasetPath('kws-speech-commands');
  const params = filesParams.parse({ directory: root, split: { by: 'group', groupPattern: '([^_/]+)_nohash_', testRatio: 0.2 }, expectFrequencyHz: 16000 });
  const samples = ingestFolder(root, '.wav', params);

  it('reads 1,281 one-second clips in 4 folder labels that agree with manifest.csv', () => {
    expect(samples).toHaveLength(1281);
    expect(countBy(samples, (s) => s.label)).toEqual({ yes: 331, no: 323, _unknown_: 323, _silence_: 304 });
    for (const s of samples) expect(s.shape).toEqual([16000, 1]);
    const manifest = readFileSync(join(root, 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const byPath = new Map(samples.map((s) => [s.id, s]));
    for (const [path, label, , speaker] of manifest) {
      const s = byPath.get(path!)!;
      expect(s.label).toBe(label);
      if (speaker) expect(s.meta?.['group']).toBe(speaker);
    }
  });

  it('splits by speaker: ~20 % test, no speaker on both sides, same result twice', () => {
    const sides = new Map<string, Set<string>>();
    for (const s of samples) {
      const g = s.meta?.['group'];
      if (typeof g === 'string') sides.set(g, (sides.get(g) ?? new Set()).add(s.category));
    }
    expect(sides.size).toBe(167);
    for (const [speaker, cats] of sides) expect(cats.size, speaker).toBe(1);
    const testShare = samples.filter((s) => s.category === 'test').length / samples.length;
    expect(testShare).toBeGreaterThan(0.12);
    expect(testShare).toBeLessThan(0.28);
    const again = ingestFolder(root, '.wav', params);
    expect(again.map((s) => `${s.id}:${s.category}`)).toEqual(samples.map((s) => `${s.id}:${s.category}`));
  });
});

describe.skipIf(!datasetAvailable('kws-fsdd-digits'))('ingest kws-fsdd-digits, resampled to 16 kHz and padded to 1 s', () => {
  const root = datasetPath('kws-fsdd-digits');
  const params = filesParams.parse({
    directory: root,
    labels: { from: 'pattern', pattern: '(\\d)_[a-z]+_\\d+\\.wav$' },
    split: { by: 'group', groupPattern: '\\d_([a-z]+)_\\d+\\.wav$' },
  });
  const samples = ingestFolder(root, '.wav', params);
  const filters = new Map<string, Resampler>();

  it('reads 2,000 clips, 10 digits × 200, at 8 kHz with the manifest frame counts', () => {
    expect(samples).toHaveLength(2000);
    expect(Object.values(countBy(samples, (s) => s.label))).toEqual(Array(10).fill(200));
    const frames = new Map(readFileSync(join(root, 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).map((f) => [f[0], Number(f[5])]));
    for (const s of samples) {
      expect(s.intervalMs).toBe(0.125);
      expect(s.shape![0]).toBe(frames.get(s.id));
    }
    expect(new Set(samples.map((s) => s.meta?.['group']))).toEqual(new Set(['jackson', 'lucas', 'theo', 'yweweler']));
  });

  it('resampled clips keep their energy and duration; padded to exactly 16,000 frames', () => {
    for (const s of samples.filter((_, i) => i % 50 === 0)) {
      const up = resampleSample(s, { frequencyHz: 16000, zeroCrossings: 10, kaiserBeta: 5 }, filters);
      expect(up.intervalMs).toBe(0.0625);
      expect(up.values.length).toBe(2 * s.values.length);
      const rms = (v: Float32Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
      expect(rms(up.values) / rms(s.values)).toBeGreaterThan(0.97);
      expect(rms(up.values) / rms(s.values)).toBeLessThan(1.03);
      // the resampled clip passes through the original points (band-limited interpolation)
      let err = 0;
      for (let i = 100; i < s.values.length - 100; i++) err = Math.max(err, Math.abs(up.values[2 * i]! - s.values[i]!));
      expect(err).toBeLessThan(0.02 * 32768);
      const fixed = cropPadSample(up, { lengthMs: 1000, align: 'start', padValue: 0 });
      expect(fixed.shape).toEqual([16000, 1]);
      expect(fixed.values.length).toBe(16000);
    }
  });

  it('expectFrequencyHz catches the 8 kHz clips in a 16 kHz dataset, naming the file', () => {
    const rel = 'recordings/0_jackson_0.wav';
    const e = errorOf(() => samplesFromFile(rel, readFileSync(join(root, rel)), { ...params, expectFrequencyHz: 16000 }, { signature: { allowUnsigned: false } }));
    expect(e.file).toBe(rel);
    expect(e.message).toMatch(/8000 Hz differs from the dataset's 16000 Hz/);
    const mixed = [samples[0]!, { ...samples[1]!, intervalMs: 0.0625 }];
    expect(checkConsistentSignals(mixed)?.file).toBe(samples[1]!.id);
    expect(checkConsistentSignals(samples)).toBeUndefined();
  });
});

describe.skipIf(!datasetAvailable('accel-hapt'))('ingest accel-hapt segments', () => {
  const root = datasetPath('accel-hapt');
  const params = filesParams.parse({
    directory: root,
    labels: { from: 'file', file: join(root, 'labels.csv'), labelColumn: 'activity', startColumn: 'start_sample', endColumn: 'end_sample', segmentIndexBase: 1, segmentEndInclusive: true },
    split: { by: 'group', groupPattern: 'user(\\d+)' },
    csv: { frequencyHz: 50, units: 'g' },
  });

  it('cuts 892 labelled segments (counts as in the README) from 45 recordings at 50 Hz, 3 axes', async () => {
    const { parseLabelsFile } = await import('../labels.js');
    const labels = parseLabelsFile(readFileSync(join(root, 'labels.csv')), 'labels.csv', params.labels);
    const samples = listFiles(join(root, 'acc'), '.csv').flatMap((f) => {
      const rel = `acc/${f}`;
      return samplesFromFile(rel, readFileSync(join(root, rel)), params, { labels, signature: { allowUnsigned: false } });
    });
    expect(samples).toHaveLength(892);
    expect(countBy(samples, (s) => s.label)).toEqual({
      WALKING: 95, WALKING_UPSTAIRS: 134, WALKING_DOWNSTAIRS: 137, SITTING: 88, STANDING: 88, LAYING: 88,
      STAND_TO_SIT: 44, SIT_TO_STAND: 46, SIT_TO_LIE: 44, LIE_TO_SIT: 44, STAND_TO_LIE: 42, LIE_TO_STAND: 42,
    });
    const rows = readFileSync(join(root, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const first = samples[0]!;
    expect(first.id).toBe('acc/acc_exp01_user01.csv[249-1232]');
    expect(first.intervalMs).toBe(20);
    expect(first.shape).toEqual([Number(rows[0]![6]) - Number(rows[0]![5]) + 1, 3]);
    // frame 0 of the segment is CSV data row 250 (1-based), i.e. line 251 of the file
    const line = readFileSync(join(root, 'acc/acc_exp01_user01.csv'), 'utf8').split('\n')[250]!.split(',').map(Number);
    expect([...first.values.subarray(0, 3)]).toEqual(line.map((v) => Math.fround(v)));
    const usersBySide = new Map<string, Set<string>>();
    for (const s of samples) usersBySide.set(String(s.meta?.['group']), (usersBySide.get(String(s.meta?.['group'])) ?? new Set()).add(s.category));
    expect(usersBySide.size).toBe(22);
    for (const cats of usersBySide.values()) expect(cats.size).toBe(1);
  });
});

describe.skipIf(!datasetAvailable('accel-hapt'))('ingest accel-hapt annotated, then windowed', () => {
  it('keeps whole recordings with labelRanges; windows inside a segment get its label', async () => {
    const root = datasetPath('accel-hapt');
    const { parseLabelsFile } = await import('../labels.js');
    const { windowSample } = await import('../../transform/window/index.js');
    const params = filesParams.parse({
      directory: root,
      labels: { from: 'file', file: join(root, 'labels.csv'), labelColumn: 'activity', startColumn: 'start_sample', endColumn: 'end_sample', segmentIndexBase: 1, segmentEndInclusive: true, segments: 'annotate' },
      csv: { frequencyHz: 50 },
    });
    const labels = parseLabelsFile(readFileSync(join(root, 'labels.csv')), 'labels.csv', params.labels);
    const rel = 'acc/acc_exp01_user01.csv';
    const [rec] = samplesFromFile(rel, readFileSync(join(root, rel)), params, { labels, signature: { allowUnsigned: false } });
    const rows = readFileSync(join(root, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((r) => r[0] === rel);
    expect(rec!.shape).toEqual([20598, 3]); // files.csv: 20598 samples
    expect(rec!.meta?.['labelRanges']).toHaveLength(rows.length);
    const windows = windowSample(rec!, { sizeMs: 2560, strideMs: 1280, padZeros: false, minLabelCoverage: 1, dropUnlabelled: true });
    expect(windows.length).toBeGreaterThan(100);
    for (const w of windows) {
      const start = Number(w.meta?.['windowStartMs']) / 20;
      const row = rows.find((r) => Number(r[5]) - 1 <= start && start + 128 <= Number(r[6]));
      expect(row?.[4], w.id).toBe(w.label);
    }
  });
});

describe.skipIf(!datasetAvailable('vibration-fan-imbalance'))('ingest vibration-fan-imbalance', () => {
  it('one sample per (configuration, speed), labelled by configuration', () => {
    const root = datasetPath('vibration-fan-imbalance');
    const params = filesParams.parse({ directory: root, csv: { labelColumn: 'wconfid', groupColumns: ['pctid'], intervalMs: 1, units: 'g' }, split: { by: 'sample' } });
    const samples = samplesFromFile('accelerometer.csv', readFileSync(join(root, 'accelerometer.csv')), params, { signature: { allowUnsigned: false } });
    expect(samples).toHaveLength(39);
    expect(countBy(samples, (s) => s.label)).toEqual({ 1: 13, 2: 13, 3: 13 });
    expect(samples[0]!.id).toBe('accelerometer.csv:wconfid=1,pctid=20');
    expect(new Set(samples.map((s) => s.category))).toEqual(new Set(['train', 'test']));
  });
});

describe('ingest/files block (readSource with a real folder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-ingest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const key = 'block-test-key';
  const write = (rel: string, data: Uint8Array | string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), data);
  };
  const wav = encodeWav(new Float32Array([0.5, -0.5, 0.25, 0]), { sampleRate: 16000, channels: 1, bits: 16 });
  write('data/training/yes/a.wav', wav);
  write('data/testing/no/b.wav', wav);
  write('data/empty.wav', '');
  const doc = { protected: { ver: 'v1', alg: 'HS256' }, signature: EMPTY_SIGNATURE, payload: { interval_ms: 10, sensors: [{ name: 'x', units: 'g' }], values: [1, 2, 3] } };
  const signedJson = signEncodedDocument(Buffer.from(JSON.stringify(doc)), 'json', key);
  write('data/wave.01.json', signedJson);
  write('secret.key', `${key}\n`);
  write('data/labels.csv', 'file,label\ntraining/yes/a.wav,yes\ntesting/no/b.wav,no\n');
  write('bad-labels.csv', 'file,label\ntraining/yes/a.wav,yes\nmissing.wav,no\n');

  const run = (rel: string, raw: unknown) => {
    const params = filesBlock.params.parse(raw) as FilesParams;
    const state = filesBlock.prepare!(params);
    const content = readFileSync(join(dir, 'data', rel));
    return filesBlock.readSource({ path: join(dir, 'data', rel), relPath: rel, digest: '', size: content.length }, content, { params, state, pipelineDir: dir });
  };

  it('declares its sources, shared labels file and location param', () => {
    const params = filesBlock.params.parse({ directory: 'data', labels: { from: 'file', file: 'data/labels.csv' } }) as FilesParams;
    expect(filesBlock.sources(params)).toEqual({ root: 'data', extensions: ['.wav', '.csv', '.json', '.cbor', '.png', '.jpg', '.jpeg'], exclude: [], sharedFiles: ['data/labels.csv'] });
    expect(filesBlock.sources({ ...params, exclude: ['^files\\.csv$'] }).exclude).toEqual(['^files\\.csv$']);
    expect(filesBlock.checkParams!({ ...params, exclude: ['('] }).map((p) => p.path)).toEqual(['exclude[0]']);
    expect(filesBlock.locationParams).toEqual(['directory']);
    expect(filesBlock.checkParams!(filesBlock.params.parse({ directory: 'd', labels: { from: 'pattern' }, split: { by: 'group' } }) as FilesParams).map((p) => p.path)).toEqual(['labels.pattern', 'split.groupPattern']);
  });

  it('folder labels and training/testing split; the labels file itself gives no samples', async () => {
    const a = await run('training/yes/a.wav', { directory: 'data' });
    expect(a).toMatchObject([{ id: 'training/yes/a.wav', label: 'yes', category: 'train', intervalMs: 0.0625 }]);
    expect([...a[0]!.values]).toEqual([16384, -16384, 8192, 0]);
    expect((await run('testing/no/b.wav', { directory: 'data' }))[0]).toMatchObject({ label: 'no', category: 'test' });
    expect(await run('labels.csv', { directory: 'data', labels: { from: 'file', file: 'data/labels.csv' } })).toEqual([]);
    expect((await run('testing/no/b.wav', { directory: 'data', labels: { from: 'file', file: 'data/labels.csv' } }))[0]!.label).toBe('no');
  });

  it('verifies signed documents with a key file, and names the file when the key is wrong', async () => {
    const ok = await run('wave.01.json', { directory: 'data', labels: { from: 'filename' }, signatures: { keyFile: 'secret.key' } });
    expect(ok[0]).toMatchObject({ id: 'wave.01.json', label: 'wave' });
    const prev = process.env['TF_TEST_WRONG_KEY'];
    process.env['TF_TEST_WRONG_KEY'] = 'wrong';
    try {
      const e = errorOf(() => run('wave.01.json', { directory: 'data', signatures: { keyEnv: 'TF_TEST_WRONG_KEY' } }));
      expect(e.file).toBe('wave.01.json');
      expect(e.message).toMatch(/bad signature/);
    } finally {
      if (prev === undefined) delete process.env['TF_TEST_WRONG_KEY']; else process.env['TF_TEST_WRONG_KEY'] = prev;
    }
  });

  it('empty files and labels files naming missing files are BAD_INPUT', () => {
    expect(errorOf(() => run('empty.wav', { directory: 'data' }))).toMatchObject({ code: 'BAD_INPUT', file: 'empty.wav', message: 'empty file' });
    const e = errorOf(() => run('training/yes/a.wav', { directory: 'data', labels: { from: 'file', file: 'bad-labels.csv' } }));
    expect(e.file).toBe(join(dir, 'bad-labels.csv'));
    expect(e.message).toMatch(/names a file that does not exist: missing.wav/);
  });
});
