import { TinyforgeError, type AnyBlock } from '@tinyforge/sdk';

/** An Edge Impulse custom block folder (parameters.json + Dockerfile) as a tinyforge block. */
export async function loadEdgeImpulseBlock(dir: string): Promise<AnyBlock> {
  throw new TinyforgeError({ code: 'PLUGIN', file: dir, message: 'Edge Impulse block folders are not supported yet' });
}
