import { describe, expect, test } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import relabel from './index.js';

const sample = (label: string | null): Sample => ({ id: `s-${label}`, label, category: 'train', sensors: [{ name: 'x', units: 'g' }], intervalMs: 20, values: new Float32Array([1]) });
const run = (label: string | null, p: unknown) => relabel.runSample(sample(label), { params: relabel.params.parse(p), state: undefined, pipelineDir: '' });

describe('transform/relabel', () => {
  test('merges, drops and keeps labels', () => {
    const p = { map: { '1': 'unbalanced', '2': 'unbalanced', '9': null } };
    expect((run('1', p) as Sample).label).toBe('unbalanced');
    expect((run('2', p) as Sample).label).toBe('unbalanced');
    expect(run('9', p)).toBeNull();
    expect((run('3', p) as Sample).label).toBe('3');
    expect(run('3', { ...p, keepUnmapped: false })).toBeNull();
    expect((run(null, p) as Sample).label).toBeNull();
  });
});
