import { Command, Option } from 'commander';
import { RUNNER_VERSION } from '../version.js';
import type { DspCommandOptions } from './dsp-command.js';
import { reportError } from './print-error.js';


/** Command implementations load on use: `status` should not pay for `report` or `dsp`. */
function lazy<M extends Record<string, unknown>, K extends keyof M & string>(load: () => Promise<M>, name: K) {
  return async (...args: unknown[]): Promise<number> => ((await load())[name] as (...a: unknown[]) => Promise<number>)(...args);
}

const blocksInfoCommand = lazy(() => import('./blocks-command.js'), 'blocksInfoCommand');
const blocksListCommand = lazy(() => import('./blocks-command.js'), 'blocksListCommand');
const cacheGcCommand = lazy(() => import('./cache-command.js'), 'cacheGcCommand');
const cacheInfoCommand = lazy(() => import('./cache-command.js'), 'cacheInfoCommand');
const dspCommand = lazy(() => import('./dsp-command.js'), 'dspCommand');
const diffCommand = lazy(() => import('./diff-command.js'), 'diffCommand');
const lockCommand = lazy(() => import('./lock-command.js'), 'lockCommand');
const reportCommand = lazy(() => import('./report-command.js'), 'reportCommand');
const testAddCommand = lazy(() => import('./test-command.js'), 'testAddCommand');
const testCommand = lazy(() => import('./test-command.js'), 'testCommand');
const evalCommand = lazy(() => import('./eval-command.js'), 'evalCommand');
const runCommand = lazy(() => import('./run-command.js'), 'runCommand');
const statusCommand = lazy(() => import('./status-command.js'), 'statusCommand');

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The `tinyforge` command line. Exit codes: 0 ok, 1 pipeline or test failure, 2 bad config or input. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode = 0;
  const program = new Command('tinyforge')
    .description('Declarative, incrementally cached pipelines from sensor data to microcontroller inference libraries')
    .version(RUNNER_VERSION)
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const wrap =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      exitCode = await fn(...args);
    };

  program
    .command('run')
    .description('run a pipeline; only work whose inputs changed is redone')
    .argument('<pipeline>', 'pipeline folder or file')
    .option('--set <block.param=value>', 'override a param (repeatable); value is JSON or a string', collect)
    .addOption(new Option('--force [blocks...]', 're-execute every block, or the named ones'))
    .option('--json', 'print the run manifest as JSON on stdout')
    .option('--threads <n>', 'worker threads for per-sample work', (v) => Number.parseInt(v, 10))
    .action(wrap((pipeline: string, opts: { set?: string[]; force?: boolean | string[]; json?: boolean; threads?: number }) => runCommand(pipeline, opts)));

  program
    .command('status')
    .description('what `run` would do now, and why')
    .argument('<pipeline>', 'pipeline folder or file')
    .option('--set <block.param=value>', 'as for run', collect)
    .option('--json', 'print JSON')
    .action(wrap((pipeline: string, opts: { json?: boolean; set?: string[] }) => statusCommand(pipeline, opts)));

  const cache = program.command('cache').description('inspect or clean the local cache');
  cache
    .command('info')
    .argument('[dir]', 'a folder inside the project', '.')
    .option('--json', 'print JSON')
    .action(wrap((dir: string, opts: { json?: boolean }) => cacheInfoCommand(dir, opts)));
  cache
    .command('gc')
    .description("delete everything the pipelines' last runs no longer reach")
    .argument('[dir]', 'a folder inside the project', '.')
    .option('--json', 'print JSON')
    .action(wrap((dir: string, opts: { json?: boolean }) => cacheGcCommand(dir, opts)));

  const blocks = program.command('blocks').description('installed blocks');
  blocks
    .command('list')
    .option('--json', 'print JSON')
    .action(wrap((opts: { json?: boolean }) => blocksListCommand(opts)));
  blocks
    .command('docs')
    .description('print the Markdown reference of every built-in block (docs/blocks.md)')
    .action(
      wrap(async () => {
        process.stdout.write(await (await import('./blocks-docs.js')).blocksMarkdown());
        return 0;
      }),
    );
  blocks
    .command('info')
    .argument('<id>', 'block id, optionally with @major')
    .action(wrap((id: string) => blocksInfoCommand(id)));
  blocks.command('types').description('write a .d.ts of the params of an Edge Impulse block folder (parameters.json)').argument('<dir>', 'block folder').option('--out <file>', 'default <dir>/parameters.d.ts')
    .action(wrap(async (dir: string, opts: { out?: string }) => (await import('../docker/blocks-types-command.js')).blocksTypesCommand(dir, opts)));
  blocks.command('init').description('scaffold a block package tinyforge-block-<name>: block, test, README').argument('<name>', 'block name, e.g. denoise or @acme/denoise')
    .option('--kind <kind>', 'dsp | transform | learn | deploy', 'transform').option('--docker', 'a container block (Edge Impulse transformation contract)').option('--dir <parent>', 'folder to create the package in', '.')
    .action(wrap(async (name: string, opts: { kind: string; docker?: boolean; dir: string }) => (await import('../plugins/scaffold-block.js')).blocksInitCommand(name, opts)));
  const targets = program.command('targets').description('installed deploy targets (tinyforge-target-* packages)');
  targets.command('list').option('--json', 'print JSON').action(wrap(async (opts: { json?: boolean }) => (await import('../plugins/targets-command.js')).targetsListCommand(opts)));
  targets.command('info').argument('<id>', 'target id, optionally with @major').action(wrap(async (id: string) => (await import('../plugins/targets-command.js')).targetsInfoCommand(id)));

  program
    .command('dsp')
    .description("run one sample through a DSP block and print its features (like Edge Impulse's DSP preview)")
    .argument('<block>', 'block id, e.g. dsp/mfcc')
    .requiredOption('--input <file>', 'WAV, CSV, or JSON { values, frequency, axes } (values interleaved)')
    .option('--params <json>', 'block params as JSON (Edge Impulse names)')
    .option('--frequency <hz>', 'sampling frequency (overrides the file)', Number)
    .option('--axes <n>', 'number of axes (JSON input)', (v) => Number.parseInt(v, 10))
    .option('--json', 'print { features, shape } as JSON')
    .action(wrap((blockId: string, opts: DspCommandOptions) => dspCommand(blockId, opts)));

  const testCmd = program
    .command('test')
    .description("run the pipeline's stored test cases through the reference and the built targets")
    .argument('<pipeline>', 'pipeline folder or file')
    .option('--target <ts|cpp|wasm|m4|all>', 'targets to run (comma-separated); ts is always the reference', 'ts')
    .option('--block <name>', 'the learn block to test (default: the first one)')
    .option('--json', 'print per case, per target: expected, got, scores, pass')
    .action(wrap((pipeline: string, opts: { target?: string; json?: boolean; block?: string }) => testCommand(pipeline, opts)));
  testCmd
    .command('add')
    .description('record a sample file as a test case of the pipeline')
    .argument('<pipeline>', 'pipeline folder or file')
    .argument('<sample-file>', 'a file the pipeline can ingest (WAV, CSV, data-acquisition JSON/CBOR)')
    .requiredOption('--label <label>', 'the label it must get')
    .option('--min-confidence <p>', 'minimum confidence 0..1', Number)
    .option('--name <name>', 'test case name')
    .action(wrap((pipeline: string, file: string, opts: { label: string; minConfidence?: number; name?: string }) => testAddCommand(pipeline, file, opts)));

  program
    .command('eval')
    .description('classify an external labelled folder (labels = subfolder names) and print accuracy and confusion')
    .argument('<pipeline>', 'pipeline folder or file')
    .requiredOption('--data <folder>', 'folder with one subfolder per label')
    .option('--target <ts|cpp|wasm|m4|all>', 'targets to run', 'ts')
    .option('--json', 'print { accuracy, perClass, confusion }')
    .action(wrap((pipeline: string, opts: { data: string; target?: string; json?: boolean }) => evalCommand(pipeline, opts)));

  program
    .command('report')
    .description("write a static HTML report of the pipeline's last run (works offline)")
    .argument('<pipeline>', 'pipeline folder or file')
    .option('--out <file>', 'where to write the HTML (default .tinyforge/reports/<name>/index.html)')
    .option('--json', 'print where it went as JSON')
    .action(wrap((pipeline: string, opts: { out?: string; json?: boolean }) => reportCommand(pipeline, opts)));

  program
    .command('lock')
    .description('write <pipeline>/tinyforge.lock: block versions, packages, a digest per dataset (commit it)')
    .argument('<pipeline>', 'pipeline folder or file')
    .option('--check', 'write nothing; exit 1 if the lock is missing or out of date')
    .option('--set <block.param=value>', 'as for run', collect)
    .action(wrap((pipeline: string, opts: { check?: boolean; set?: string[] }) => lockCommand(pipeline, opts)));

  program
    .command('diff')
    .description('what changed between two runs: block status, key records (params, versions, inputs, env), metrics')
    .argument('<runA>', 'run manifest path, id from .tinyforge/runs, or last~N')
    .argument('<runB>', 'the same, for the later run')
    .option('--dir <dir>', 'a folder inside the project (for ids)', '.')
    .option('--pipeline <name>', 'with last~N: count runs of this pipeline only')
    .option('--json', 'print JSON')
    .action(wrap((a: string, b: string, opts: { dir?: string; pipeline?: string; json?: boolean }) => diffCommand(a, b, opts)));

  const tune = program
    .command('tune')
    .description('search block params under flash/RAM/latency constraints (EON Tuner-like); leaderboard in .tinyforge/tune/<pipeline>/')
    .argument('<pipeline>', 'pipeline folder or file (tune config: tune.json|ts|yaml beside it)')
    .option('--config <file>', 'tune config file').addOption(new Option('--strategy <s>', 'search strategy').choices(['random', 'hyperband']))
    .option('--trials <n>', 'configurations to try', (v) => Number.parseInt(v, 10)).option('--time <s>', 'start no trial after this many seconds', Number)
    .option('--parallel <n>', 'trials at once', (v) => Number.parseInt(v, 10)).option('--flash <bytes>', 'flash limit', Number).option('--ram <bytes>', 'RAM limit', Number).option('--latency <ms>', 'latency limit', Number)
    .option('--json', 'print the leaderboard as JSON')
    .action(wrap(async (pipeline: string, opts: Record<string, never>) => (await import('../tune/tune-command.js')).tuneCommand(pipeline, opts)));
  tune.command('apply').description("write a trial's params into the pipeline file").argument('<pipeline>', 'pipeline folder or file')
    .option('--trial <n>', 'trial number (default: the best)', (v) => Number.parseInt(v, 10)).option('--json', 'print JSON')
    .action(wrap(async (pipeline: string, opts: { trial?: number; json?: boolean }) => (await import('../tune/tune-command.js')).tuneApplyCommand(pipeline, opts)));
  program
    .command('calibrate')
    .description('performance calibration: tune post-processing (averaging, threshold, suppression) on a continuous stream for FAR/FRR')
    .argument('<pipeline>', 'pipeline folder or file')
    .option('--config <file>', 'calibration config (default calibrate.json beside the pipeline, if any)')
    .option('--save [file]', "also write the chosen params as the cpp target's `continuous` params (default continuous.json beside the pipeline; commit it and import it in the pipeline)")
    .option('--json', 'print the result as JSON')
    .action(wrap(async (pipeline: string, opts: { config?: string; json?: boolean; save?: string | boolean }) => (await import('../calibrate/calibrate-command.js')).calibrateCommand(pipeline, opts)));

  program
    .command('schema')
    .description('print the JSON Schema of pipeline files (for editors and YAML/JSON pipelines)')
    .action(
      wrap(async () => {
        process.stdout.write(`${JSON.stringify((await import('../config/pipeline-schema.js')).pipelineJsonSchema(), null, 2)}\n`);
        return 0;
      }),
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    return reportError(error, debug);
  }
  return exitCode;
}
