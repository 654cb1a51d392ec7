import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMfccPlan, mfcc, mfccShape, type MfccConfig } from '../../dsp/mfcc/mfcc.js';

/**
 * Test/bench fixture: the shared Speech Commands subset as EI-default MFCC features
 * (50 frames × 13 cepstra per 1 s clip), test split by speaker. Not used by any block.
 */
export const KWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets/kws-speech-commands');

export const EI_MFCC: MfccConfig = {
  frameLength: 0.02,
  frameStride: 0.02,
  numFilters: 32,
  fftLength: 256,
  numCepstral: 13,
  winSize: 101,
  lowFrequency: 0,
  highFrequency: 0,
  preCof: 0.98,
  preShift: 1,
};

export interface KwsSample {
  id: string;
  label: string;
  speaker: string | null;
  category: 'train' | 'test';
  values: Float32Array;
  shape: [number, number];
}

export function kwsAvailable(): boolean {
  return existsSync(path.join(KWS_DIR, 'manifest.csv'));
}

/** Plain 16-bit PCM mono WAV with the canonical 44-byte header. */
export function readPcm16(file: string): Float32Array {
  const buf = readFileSync(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 36, 40) !== 'data') throw new Error(`${file}: not a canonical 44-byte-header WAV`);
  const n = (buf.length - 44) >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readInt16LE(44 + 2 * i);
  return out;
}

/** ~20 % of speakers (and of silence clips) go to test, chosen by a salted hash. */
function isTest(key: string): boolean {
  return createHash('sha1').update(`tinyforge-kws-test:${key}`).digest().readUInt32BE(0) % 100 < 20;
}

export const NOISE_DIR = path.resolve(KWS_DIR, '../kws-background-noise');

/**
 * The clips as MFCC samples. `augment` adds that many extra copies of every train clip, each
 * time-shifted by up to ±100 ms and mixed with a random stretch of background noise (seeded,
 * so runs are reproducible); test clips are never augmented.
 */
export function loadKwsSamples(opts: { augment?: number } = {}): KwsSample[] {
  const rows = readFileSync(path.join(KWS_DIR, 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
  const plan = createMfccPlan(EI_MFCC);
  const augment = opts.augment ?? 0;
  const noises = augment > 0 && existsSync(NOISE_DIR) ? readdirSync(NOISE_DIR).filter((f) => f.endsWith('.wav')).sort().map((f) => readPcm16(path.join(NOISE_DIR, f))) : [];
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const features = (pcm: Float32Array): { values: Float32Array; shape: [number, number] } => {
    const shape = mfccShape(EI_MFCC, 16000, pcm.length);
    const values = new Float32Array(shape[0] * shape[1]);
    mfcc(plan, pcm, 16000, values);
    return { values, shape };
  };
  const out: KwsSample[] = [];
  for (const row of rows) {
    const [rel, label, , speaker] = row.split(',');
    const pcm = readPcm16(path.join(KWS_DIR, rel!));
    const spk = speaker ? speaker : null;
    const category = isTest(spk ?? rel!) ? 'test' : 'train';
    out.push({ id: rel!, label: label!, speaker: spk, category, ...features(pcm) });
    if (category !== 'train') continue;
    for (let a = 0; a < augment; a++) {
      const shift = Math.round((rand() - 0.5) * 3200);
      const noise = noises.length > 0 ? noises[Math.floor(rand() * noises.length)]! : null;
      const at = noise ? Math.floor(rand() * (noise.length - pcm.length)) : 0;
      const gain = rand() * 0.3;
      const y = new Float32Array(pcm.length);
      for (let i = 0; i < pcm.length; i++) {
        const j = i - shift;
        y[i] = (j >= 0 && j < pcm.length ? pcm[j]! : 0) + (noise ? gain * noise[at + i]! : 0);
      }
      out.push({ id: `${rel}#aug${a}`, label: label!, speaker: spk, category, ...features(y) });
    }
  }
  return out;
}
