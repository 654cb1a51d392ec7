/**
 * Static memory plan: every activation tensor and kernel scratch buffer gets a fixed offset in
 * one arena. Buffers whose lifetimes overlap must not overlap in memory. Several greedy orders
 * are tried (TFLM's "largest first", and first-use order) and the smallest arena wins.
 */

export interface PlanBuffer {
  /** Caller's key (tensor id or a scratch name). */
  key: string;
  bytes: number;
  /** First and last time step (inclusive) the buffer must hold its data. */
  first: number;
  last: number;
}

export interface MemoryPlan {
  offsets: Map<string, number>;
  arenaBytes: number;
  /** max over time of the bytes of the planned buffers live at once (aligned sizes): no plan of
   * them can be smaller. (A row-split scratch, RowSplitScratch, is not one: it lies in dead bytes.) */
  lowerBound: number;
  strategy: string;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const overlapsInTime = (a: PlanBuffer, b: PlanBuffer): boolean => a.first <= b.last && b.first <= a.last;

function placeInOrder(buffers: readonly PlanBuffer[], align: number): { offsets: Map<string, number>; size: number } {
  const placed: { b: PlanBuffer; offset: number; end: number }[] = [];
  const offsets = new Map<string, number>();
  let size = 0;
  for (const b of buffers) {
    const bytes = alignUp(b.bytes, align);
    // Gaps between buffers live at the same time, lowest offset first (first fit).
    const busy = placed.filter((p) => overlapsInTime(p.b, b)).sort((x, y) => x.offset - y.offset);
    let offset = 0;
    for (const p of busy) {
      if (offset + bytes <= p.offset) break;
      offset = Math.max(offset, alignUp(p.end, align));
    }
    placed.push({ b, offset, end: offset + bytes });
    offsets.set(b.key, offset);
    size = Math.max(size, offset + bytes);
  }
  return { offsets, size };
}

export function lowerBound(buffers: readonly PlanBuffer[], align = 4): number {
  let best = 0;
  const times = new Set(buffers.flatMap((b) => [b.first, b.last]));
  for (const t of times) {
    let live = 0;
    for (const b of buffers) if (b.first <= t && t <= b.last) live += alignUp(b.bytes, align);
    best = Math.max(best, live);
  }
  return best;
}

export function planMemory(buffers: readonly PlanBuffer[], align = 4): MemoryPlan {
  const keys = new Set<string>();
  for (const b of buffers) {
    if (keys.has(b.key)) throw new Error(`duplicate buffer ${b.key}`);
    if (b.last < b.first) throw new Error(`buffer ${b.key} ends before it starts`);
    keys.add(b.key);
  }
  const orders: [string, PlanBuffer[]][] = [
    ['largest-first', [...buffers].sort((a, b) => b.bytes - a.bytes || a.first - b.first)],
    ['longest-lived-first', [...buffers].sort((a, b) => b.last - b.first - (a.last - a.first) || b.bytes - a.bytes)],
    ['first-use', [...buffers].sort((a, b) => a.first - b.first || b.bytes - a.bytes)],
    ['area-first', [...buffers].sort((a, b) => b.bytes * (b.last - b.first + 1) - a.bytes * (a.last - a.first + 1))],
  ];
  let best: MemoryPlan | null = null;
  for (const [strategy, order] of orders) {
    const { offsets, size } = placeInOrder(order, align);
    if (!best || size < best.arenaBytes) best = { offsets, arenaBytes: size, lowerBound: 0, strategy };
  }
  const plan = best ?? { offsets: new Map(), arenaBytes: 0, lowerBound: 0, strategy: 'empty' };
  plan.lowerBound = lowerBound(buffers, align);
  return plan;
}

/** Throws if two buffers that live at the same time share bytes (a guard for tests and emitters). */
export function checkPlan(buffers: readonly PlanBuffer[], plan: MemoryPlan): void {
  for (let i = 0; i < buffers.length; i++)
    for (let j = i + 1; j < buffers.length; j++) {
      const a = buffers[i]!;
      const b = buffers[j]!;
      if (!overlapsInTime(a, b)) continue;
      const ao = plan.offsets.get(a.key)!;
      const bo = plan.offsets.get(b.key)!;
      if (ao < bo + b.bytes && bo < ao + a.bytes) throw new Error(`plan overlap: ${a.key} [${ao}, +${a.bytes}) and ${b.key} [${bo}, +${b.bytes})`);
    }
  for (const b of buffers) if (plan.offsets.get(b.key)! + b.bytes > plan.arenaBytes) throw new Error(`${b.key} ends past the arena`);
}

/**
 * A (depthwise) convolution's scratch with no bytes of its own: the op runs as calls over ranges of its
 * output rows, each call's scratch lying in bytes of the op's input or output that hold nothing
 * during that call (output rows not written yet, input rows no later output row reads).
 */
export interface RowSplitScratch {
  key: string;
  /** The op's time step (input and output buffers are live then). */
  time: number;
  bytes: number;
  input: string;
  output: string;
  /** Geometry: output row r reads input rows r·strideH − padTop … + kH − 1 (clipped). */
  inRowBytes: number;
  outRowBytes: number;
  outRows: number;
  strideH: number;
  padTop: number;
  /** The calls in order: output rows [y0, y1) with the scratch at arena offset `offset`. */
  ranges: { y0: number; y1: number; offset: number }[];
}

/** First byte (relative to the input buffer) that output rows ≥ y0 may read. */
export const firstInputByteRead = (s: Pick<RowSplitScratch, 'inRowBytes' | 'strideH' | 'padTop'>, y0: number): number =>
  Math.max(0, y0 * s.strideH - s.padTop) * s.inRowBytes;

/**
 * Throws unless every call's scratch lies inside the arena, misses every byte that holds data
 * during the call (other live buffers whole; the output's rows < y1; the input's rows read by
 * rows ≥ y0, or all of it when it outlives the op) and the ranges cover the output rows in order.
 */
export function checkRowSplitScratch(buffers: readonly PlanBuffer[], plan: MemoryPlan, splits: readonly RowSplitScratch[]): void {
  for (const s of splits) {
    const live = buffers.filter((b) => b.first <= s.time && s.time <= b.last);
    const inB = live.find((b) => b.key === s.input);
    const outB = live.find((b) => b.key === s.output);
    if (!inB || !outB) throw new Error(`${s.key}: input ${s.input} and output ${s.output} must be live at step ${s.time}`);
    if (outB.bytes !== s.outRows * s.outRowBytes) throw new Error(`${s.key}: output ${s.output} is not ${s.outRows} rows of ${s.outRowBytes} B`);
    let next = 0;
    for (const r of s.ranges) {
      if (r.y0 !== next || r.y1 <= r.y0) throw new Error(`${s.key}: ranges must cover rows 0..${s.outRows} in order (got [${r.y0}, ${r.y1}) after row ${next})`);
      next = r.y1;
      if (r.offset < 0 || r.offset + s.bytes > plan.arenaBytes) throw new Error(`${s.key}: rows [${r.y0}, ${r.y1}) scratch ends past the arena`);
      // 8: the depthwise scratch holds pointers (host builds).
      if (r.offset % 8 !== 0) throw new Error(`${s.key}: rows [${r.y0}, ${r.y1}) scratch at ${r.offset} is not 8-byte aligned`);
      const used: [string, number, number][] = live.map((b) => {
        const at = plan.offsets.get(b.key)!;
        if (b.key === s.output && b.first === s.time) return [b.key, at, at + r.y1 * s.outRowBytes];
        if (b.key === s.input && b.last === s.time) return [b.key, at + firstInputByteRead(s, r.y0), at + b.bytes];
        return [b.key, at, at + b.bytes];
      });
      for (const [key, lo, hi] of used)
        if (lo < hi && r.offset < hi && lo < r.offset + s.bytes)
          throw new Error(`plan overlap: ${s.key} rows [${r.y0}, ${r.y1}) scratch [${r.offset}, +${s.bytes}) meets live bytes [${lo}, ${hi}) of ${key}`);
    }
    if (next !== s.outRows) throw new Error(`${s.key}: ranges end at row ${next}, not ${s.outRows}`);
  }
}
