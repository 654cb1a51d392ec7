import { describe, expect, test } from 'vitest';
import { paramArgs, paramsSchema, parseParametersFile } from './ei-parameters.js';

// The shape of edgeimpulse/example-custom-ml-block-keras parameters.json (numbers as strings),
// plus the other item types.
const KERAS_LIKE = JSON.stringify({
  version: 1,
  type: 'machine-learning',
  info: { name: 'Keras', description: 'x', operatesOn: 'other' },
  parameters: [
    { name: 'Number of training cycles', value: '30', type: 'int', help: 'Epochs', param: 'epochs' },
    { name: 'Learning rate', value: '0.001', type: 'float', param: 'learning-rate' },
    { name: 'Optimizer', value: 'adam', type: 'select', valid: ['adam', { label: 'SGD', value: 'sgd' }], param: 'optimizer' },
    { name: 'Augment', value: true, type: 'boolean', param: 'augment' },
    { name: 'Fast', type: 'flag', param: 'fast' },
    { name: 'Momentum', value: '0.9', type: 'float', param: 'momentum', showIf: { parameter: 'optimizer', operator: 'eq', value: 'sgd' } },
    { name: 'Token', type: 'secret', param: 'api-token', optional: true },
  ],
});

describe('Edge Impulse parameters.json', () => {
  const file = parseParametersFile(KERAS_LIKE, 'parameters.json');
  const schema = paramsSchema(file);

  test('defaults come from string values; types are checked', () => {
    expect(schema.parse({})).toEqual({ epochs: 30, 'learning-rate': 0.001, optimizer: 'adam', augment: true, momentum: 0.9 });
    expect(schema.safeParse({ epochs: 2.5 }).success).toBe(false);
    expect(schema.safeParse({ optimizer: 'rmsprop' }).success).toBe(false);
    expect(schema.safeParse({ optimizer: 'sgd', container: { timeoutSec: 5 } }).success).toBe(true);
    expect(schema.safeParse({ container: { timeout: 5 } }).success).toBe(false);
  });

  test('params become EI-style arguments: booleans 1/0, flags bare, hidden params left out, secrets as env', () => {
    const { args, env } = paramArgs(file, schema.parse({ fast: true, 'api-token': 's3cret', container: { timeoutSec: 1 } }) as Record<string, unknown>);
    expect(args).toEqual(['--epochs', '30', '--learning-rate', '0.001', '--optimizer', 'adam', '--augment', '1', '--fast']);
    expect(env).toEqual({ API_TOKEN: 's3cret' });
    const sgd = paramArgs(file, schema.parse({ optimizer: 'sgd', augment: false }) as Record<string, unknown>);
    expect(sgd.args).toEqual(['--epochs', '30', '--learning-rate', '0.001', '--optimizer', 'sgd', '--augment', '0', '--momentum', '0.9']);
  });

  test('DSP groups are flattened; bad files are clear errors', () => {
    const dsp = parseParametersFile(JSON.stringify({ version: 1, type: 'dsp', info: {}, parameters: [{ group: 'Scaling', items: [{ name: 'Scale', value: '1', type: 'float', param: 'scale-axes' }] }] }), 'p.json');
    expect(dsp.parameters.map((p) => p.param)).toEqual(['scale-axes']);
    // EI's processing-block examples leave `type` out: a cppType, grouped parameters or info.type say dsp.
    const untyped = (extra: object) => parseParametersFile(JSON.stringify({ version: 1, info: { title: 'T', ...extra }, parameters: [] }), 'p.json').type;
    expect(untyped({ cppType: 'custom_block' })).toBe('dsp');
    expect(untyped({ type: 'dsp' })).toBe('dsp');
    expect(parseParametersFile(JSON.stringify({ info: {}, parameters: [{ group: 'G', items: [] }] }), 'p.json').type).toBe('dsp');
    expect(() => parseParametersFile('{', 'p.json')).toThrow(/not valid JSON/);
    expect(() => parseParametersFile(JSON.stringify({ parameters: [] }), 'p.json')).toThrow(/"type" is missing/);
    expect(() => parseParametersFile(JSON.stringify({ type: 'transform', parameters: [{ param: 'x', type: 'color' }] }), 'p.json')).toThrow(/unknown type "color"/);
    expect(() => parseParametersFile(JSON.stringify({ type: 'transform', parameters: [{ param: 'container', type: 'string' }] }), 'p.json')).toThrow(/reserved/);
  });
});
