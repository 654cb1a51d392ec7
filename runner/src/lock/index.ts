export { computeLock, formatLock, writeLock, readLock, describeLockChanges, LOCK_FILE_NAME, LOCKFILE_VERSION, type PipelineLock, type LockedBlock } from './pipeline-lock.js';
export { PackageResolver, type PackageInfo } from './package-info.js';
