import { it } from 'vitest';
import { loadHaptFeatures } from './motion-fixture.js';
import block from '../classifier/index.js';
import { classifierParams } from '../classifier/params.js';
import { fakeContext, memoryWriter, sampleReader } from './fake-context.js';
it('explore', { timeout: 300000 }, async () => {
  const t0 = performance.now();
  const f = await loadHaptFeatures({ spectral: JSON.parse(process.env.SP ?? '{}') });
  const users: Record<string, Set<string>> = { train: new Set(), test: new Set() };
  for (const s of f) users[s.category]!.add(String(s.meta?.['group']));
  console.log(f.length, f[0]!.shape, [...users.train!].join(' '), '|', [...users.test!].join(' '), (performance.now() - t0) / 1000);
  const params = classifierParams.parse({ preset: 'ei-dense-motion', epochs: 30, learningRate: 0.0005, validationSplit: 0.2, validationGroupKey: 'group', seed: 1, ...JSON.parse(process.env.CP ?? '{}') });
  const out = memoryWriter();
  const fc = fakeContext(params, sampleReader(f), out);
  await block.run(fc.ctx as never);
  const m = out.json('metrics.json') as any;
  console.log('float', m.float32.test.accuracy, 'int8', m.int8.test.accuracy, 'val', m.int8.validation?.accuracy, JSON.stringify(m.int8.test.confusion), m.labels, (performance.now() - t0) / 1000);
});
