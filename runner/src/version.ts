/** The runner's version, recorded in run manifests. */
export const RUNNER_VERSION = '0.1.0';
