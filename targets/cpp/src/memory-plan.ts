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
  /** max over time of the bytes live at once (aligned sizes): no plan can be smaller. */
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
