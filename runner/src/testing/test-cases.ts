import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { TinyforgeError, type Sample } from '@tinyforge/sdk';

/** What a stored test case expects: a label, optionally with a minimum confidence. */
export interface Expectation {
  label: string;
  minConfidence?: number;
}

export interface TestCase {
  name: string;
  file: string;
  sample: Sample;
  expected: Expectation;
}

export const TEST_CASE_DIR = 'tests';

/**
 * Stored test cases: `<pipeline>/tests/*.json|*.cbor`, Edge Impulse data-acquisition documents
 * with an `expected: { label, minConfidence? }` field beside `payload`.
 */
export async function loadTestCases(pipelineDir: string): Promise<TestCase[]> {
  const dir = join(pipelineDir, TEST_CASE_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => ['.json', '.cbor'].includes(extname(n).toLowerCase())).sort();
  } catch {
    return [];
  }
  const { decodeDocument, documentToRecording, validateDocument } = await import('@tinyforge/blocks/ingest/readers/data-acquisition');
  const cases: TestCase[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const bytes = await readFile(file);
    const raw = decodeDocument(bytes, extname(name).toLowerCase() === '.cbor' ? 'cbor' : 'json', file) as { expected?: unknown };
    const expected = parseExpectation(raw.expected, file);
    const rec = documentToRecording(validateDocument(raw, file), file);
    cases.push({
      name: name.replace(/\.(json|cbor)$/i, ''),
      file,
      expected,
      sample: { id: name, label: expected.label, category: 'test', sensors: rec.sensors, intervalMs: rec.intervalMs, values: rec.values, shape: rec.shape },
    });
  }
  return cases;
}

function parseExpectation(value: unknown, file: string): Expectation {
  const e = value as { label?: unknown; minConfidence?: unknown } | undefined;
  if (!e || typeof e !== 'object' || typeof e.label !== 'string') {
    throw new TinyforgeError({ code: 'BAD_INPUT', file, path: 'expected.label', message: 'a test case needs expected: { label: "<label>" }' });
  }
  if (e.minConfidence !== undefined && (typeof e.minConfidence !== 'number' || e.minConfidence < 0 || e.minConfidence > 1)) {
    throw new TinyforgeError({ code: 'BAD_INPUT', file, path: 'expected.minConfidence', message: 'a number between 0 and 1', found: JSON.stringify(e.minConfidence) });
  }
  return e.minConfidence === undefined ? { label: e.label } : { label: e.label, minConfidence: e.minConfidence };
}

/** An Edge Impulse data-acquisition document (unsigned) holding one sample and what it should give. */
export function testCaseDocument(sample: Pick<Sample, 'sensors' | 'intervalMs' | 'values'>, expected: Expectation): string {
  const axes = sample.sensors.length;
  const frames: (number | number[])[] = [];
  for (let i = 0; i < sample.values.length; i += axes) {
    frames.push(axes === 1 ? sample.values[i]! : Array.from(sample.values.subarray(i, i + axes)));
  }
  const doc = {
    protected: { ver: 'v1', alg: 'none', iat: 0 },
    signature: '0'.repeat(64),
    payload: { device_type: 'tinyforge', interval_ms: sample.intervalMs, sensors: sample.sensors, values: frames },
    expected,
  };
  return `${JSON.stringify(doc)}\n`;
}
