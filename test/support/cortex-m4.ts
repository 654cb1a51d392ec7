/**
 * Cortex-M toolchain for tests: cross gcc + QEMU + our instruction-counting plugin (the code
 * lives in targets/cpp/src/device/cortex-m.ts, which the cpp target also uses for
 * estimate.json). Missing toolchain: tests skip with a printed reason, except under CI=true.
 */
import { toolchainStatus } from '../../targets/cpp/src/device/cortex-m.js';

export { CORES, buildForCore, estimateCore, insnCountPlugin, runOnQemu, toolchainStatus, type CoreEstimate, type CoreName } from '../../targets/cpp/src/device/cortex-m.js';

export async function cortexMAvailable(): Promise<boolean> {
  const s = await toolchainStatus();
  if (s.available) return true;
  if (process.env.CI === 'true') throw new Error(`CI: the Cortex-M toolchain is missing: ${s.reason}`);
  console.log(`skipping Cortex-M tests: ${s.reason}`);
  return false;
}
