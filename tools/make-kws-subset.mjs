#!/usr/bin/env node
// Builds pipelines/kws/data (the demo's shipped subset) from the full Speech Commands developer set.
// Deterministic: speakers are taken in sha256 order until each label has PER_LABEL clips, so the
// subset keeps whole speakers (the split by speaker stays clean). Noise: 10 s cuts of three
// background recordings. Usage: node tools/make-kws-subset.mjs ../shared/datasets
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PER_LABEL = 90;
const NOISE = ['doing_the_dishes.wav', 'exercise_bike.wav', 'running_tap.wav'];
const NOISE_SECONDS = 10;
const datasets = process.argv[2] ?? '../shared/datasets';
const out = new URL('../pipelines/kws/', import.meta.url).pathname;
const sha = (s) => createHash('sha256').update(s).digest('hex');

const rows = readFileSync(join(datasets, 'kws-speech-commands/manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => {
  const [path, label, word, speaker] = l.split(',');
  return { path, label, word, speaker };
});
const chosen = [];
for (const label of ['yes', 'no', '_unknown_', '_silence_']) {
  const clips = rows.filter((r) => r.label === label).sort((a, b) => {
    const ka = sha(a.speaker || a.path), kb = sha(b.speaker || b.path);
    return ka < kb ? -1 : ka > kb ? 1 : a.path < b.path ? -1 : 1;
  });
  chosen.push(...clips.slice(0, PER_LABEL));
}
for (const r of chosen) {
  mkdirSync(join(out, 'data', r.label), { recursive: true });
  copyFileSync(join(datasets, 'kws-speech-commands', r.path), join(out, 'data', r.path));
}
writeFileSync(join(out, 'data/manifest.csv'), ['path,label,word,speaker', ...chosen.map((r) => [r.path, r.label, r.word, r.speaker].join(','))].join('\n') + '\n');
copyFileSync(join(datasets, 'kws-speech-commands/LICENSE'), join(out, 'data/LICENSE'));

mkdirSync(join(out, 'noise'), { recursive: true });
for (const name of NOISE) {
  const wav = readFileSync(join(datasets, 'kws-background-noise', name));
  const frames = 16000 * NOISE_SECONDS;
  const header = Buffer.from(wav.subarray(0, 44));
  header.writeUInt32LE(36 + frames * 2, 4);
  header.writeUInt32LE(frames * 2, 40);
  writeFileSync(join(out, 'noise', name), Buffer.concat([header, wav.subarray(44, 44 + frames * 2)]));
}
copyFileSync(join(datasets, 'kws-background-noise/LICENSE'), join(out, 'noise/LICENSE'));
console.log(`copied ${chosen.length} clips and ${NOISE.length} noise cuts into ${out}`);
