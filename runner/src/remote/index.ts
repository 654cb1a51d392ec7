export { resolveRemoteConfig, findConfigFile, CONFIG_FILE_NAME, type RemoteCacheConfig, type RemoteCacheMode } from './config.js';
export { HttpCache, type HttpCacheOptions } from './http-cache.js';
export { RemoteCache, type RemoteCacheOptions, type RemoteStats } from './remote-cache.js';
