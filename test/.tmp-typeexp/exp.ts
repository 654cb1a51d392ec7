import { z } from 'zod';
type ParamsSchema = z.ZodType<unknown, unknown>;
interface AnyBlockish { id: string; granularity: string; params: ParamsSchema }
export interface BlockRegistry { 'dsp/mfcc@1': z.input<typeof mfcc> }
const mfcc = z.object({ num_cepstral: z.number().int().default(13), pre_cof: z.number().default(0.98), split: z.object({ from: z.enum(['a','b']) }).optional() });
type Ref = keyof BlockRegistry | (string & {}) | AnyBlockish;
type AllKeys<T> = T extends unknown ? keyof T : never;
type ParamsFor<R> = R extends keyof BlockRegistry ? BlockRegistry[R] : R extends { params: infer P extends ParamsSchema } ? z.input<P> : Record<string, unknown>;
interface Base { inputs?: Record<string, string>; cache?: 'auto' | 'never'; description?: string }
type BlockCfg<R> = Base & { block: R; params?: ParamsFor<R> };
interface Head { name: string; version?: string; env?: string[] }
declare function definePipeline<const R extends Record<string, Ref>>(config: Head & { blocks: { [K in keyof R]: BlockCfg<R[K]> } }): Head & { blocks: { [K in keyof R]: BlockCfg<R[K]> } };
const blk = { id: 'x', granularity: 'sample', params: z.object({ k: z.number() }) };
const ok = definePipeline({ name: 'a', blocks: {
  mfcc: { block: 'dsp/mfcc@1', params: { num_cepstral: 12 }, inputs: { samples: 'x' } },
  other: { block: 'acme/x@1', params: { whatever: 1 } },
  local: { block: './b', params: { q: 's' } },
  obj: { block: blk, params: { k: 2 } },
}});
const bad = definePipeline({ name: 'a', blocks: {
  mfcc: { block: 'dsp/mfcc@1', params: { num_cepstral: '12' } },
  mfcc2: { block: 'dsp/mfcc@1', params: { num_cepstrall: 12 } },
  mfcc3: { block: 'dsp/mfcc@1', params: { split: { from: 'c' } } },
  obj: { block: blk, params: { k: 'x' } },
}});
