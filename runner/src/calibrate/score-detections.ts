import type { Detection } from './postprocess.js';
import type { StreamEvent } from './stream.js';

export interface LabelStats {
  events: number;
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  /** False rejection rate: missed / events. */
  frr: number;
  /** False activations of this label per hour of stream. */
  farPerHour: number;
}

export interface DetectionScore {
  perLabel: Record<string, LabelStats>;
  /** All false activations per hour. */
  farPerHour: number;
  /** Mean FRR over keywords (the macro average). */
  frr: number;
  /** Worst keyword FRR. */
  maxFrr: number;
}

/**
 * Matches detections to events: a detection of label L at time t counts for the first unmatched
 * L event with start ≤ t ≤ end + windowMs (the windows that contain part of the clip). Further
 * detections inside an already matched event are repeats (neither hit nor false alarm); any
 * other detection is a false activation.
 */
export function scoreDetections(detections: readonly Detection[], labelNames: readonly string[], keywords: readonly number[], events: readonly StreamEvent[], durationMs: number, windowMs: number): DetectionScore {
  const hours = durationMs / 3_600_000;
  const perLabel: Record<string, LabelStats> = {};
  for (const k of keywords) {
    const name = labelNames[k]!;
    perLabel[name] = { events: events.filter((e) => e.label === name).length, truePositives: 0, falseNegatives: 0, falsePositives: 0, frr: 0, farPerHour: 0 };
  }
  const matched = new Set<StreamEvent>();
  for (const d of detections) {
    const name = labelNames[d.label]!;
    const zone = events.filter((e) => e.label === name && e.startMs <= d.timeMs && d.timeMs <= e.endMs + windowMs);
    const fresh = zone.find((e) => !matched.has(e));
    if (fresh) {
      matched.add(fresh);
      perLabel[name]!.truePositives++;
    } else if (zone.length === 0) perLabel[name]!.falsePositives++;
  }
  let fp = 0;
  for (const s of Object.values(perLabel)) {
    s.falseNegatives = s.events - s.truePositives;
    s.frr = s.events ? s.falseNegatives / s.events : 0;
    s.farPerHour = s.falsePositives / hours;
    fp += s.falsePositives;
  }
  const frrs = Object.values(perLabel).filter((s) => s.events > 0).map((s) => s.frr);
  return { perLabel, farPerHour: fp / hours, frr: frrs.length ? frrs.reduce((a, b) => a + b, 0) / frrs.length : 0, maxFrr: frrs.length ? Math.max(...frrs) : 0 };
}
