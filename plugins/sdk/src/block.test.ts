import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkBlockDeclaration, pendingIdentity, pendingIdentityReason } from './block.js';

describe('pending identities (status: what a dry run cannot know)', () => {
  it('are found at any depth of an identity value, and only there', () => {
    expect(pendingIdentityReason(pendingIdentity('not built yet'))).toBe('not built yet');
    expect(pendingIdentityReason({ image: { ...pendingIdentity('not pulled yet') }, protocol: 'p@1' })).toBe('not pulled yet');
    expect(pendingIdentityReason({ image: 'sha256:abc', protocol: 'p@1', block: [1, { x: null }] })).toBeUndefined();
    expect(pendingIdentityReason('pendingIdentity')).toBeUndefined();
    expect(pendingIdentityReason(null)).toBeUndefined();
  });
});

describe('perSample declarations', () => {
  const base = { id: 'x/y', version: '1.0.0', apiVersion: 1, kind: 'dsp', params: z.object({}), granularity: 'whole', run: async () => {} };
  it('need one sample-set input and one sample-set output', () => {
    expect(checkBlockDeclaration({ ...base, inputs: { samples: 'dataset' }, outputs: { features: 'features' }, perSample: true } as never)).toEqual([]);
    expect(checkBlockDeclaration({ ...base, inputs: { samples: 'dataset' }, outputs: { model: 'model' }, perSample: true } as never)).toContain(
      'a perSample block has exactly one dataset/features input and one dataset/features output',
    );
    expect(checkBlockDeclaration({ ...base, inputs: { samples: 'dataset' }, outputs: { features: 'features' }, perSample: 'yes' } as never)).toContain('perSample must be true or false');
  });
});
