import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { resolveRemoteConfig } from './config.js';

function project(config?: unknown): { root: string; pipeline: string } {
  const root = mkdtempSync(join(tmpdir(), 'tinyforge-remote-config-'));
  const pipeline = join(root, 'pipelines/kws');
  mkdirSync(pipeline, { recursive: true });
  if (config !== undefined) writeFileSync(join(root, 'tinyforge.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return { root, pipeline };
}

describe('remote cache config', () => {
  test('none configured: no remote', () => {
    expect(resolveRemoteConfig({}, project().pipeline)).toBeUndefined();
  });

  test('the nearest tinyforge.config.json above the pipeline; env wins field by field', () => {
    const { pipeline, root } = project({ remoteCache: { url: 'http://cache.local:8080/tf/', mode: 'read' } });
    expect(resolveRemoteConfig({}, pipeline)).toEqual({ url: 'http://cache.local:8080/tf', mode: 'read', download: 'minimal', source: join(root, 'tinyforge.config.json') });
    expect(resolveRemoteConfig({ TINYFORGE_REMOTE_CACHE_MODE: 'readwrite' }, pipeline)).toMatchObject({ url: 'http://cache.local:8080/tf', mode: 'readwrite' });
    expect(resolveRemoteConfig({ TINYFORGE_REMOTE_CACHE: 'http://other:1/x' }, pipeline)).toMatchObject({ url: 'http://other:1/x', mode: 'read', source: 'TINYFORGE_REMOTE_CACHE' });
    expect(resolveRemoteConfig({ TINYFORGE_REMOTE_CACHE: 'off' }, pipeline)).toBeUndefined();
    expect(resolveRemoteConfig({ TINYFORGE_REMOTE_CACHE_TOKEN: 't0k' }, pipeline)).toMatchObject({ token: 't0k' });
  });

  test('env alone is enough; mode defaults to readwrite', () => {
    expect(resolveRemoteConfig({ TINYFORGE_REMOTE_CACHE: 'https://c.example/cache' })).toMatchObject({ url: 'https://c.example/cache', mode: 'readwrite', download: 'minimal' });
  });

  test('mistakes are config errors naming where they are', () => {
    const bad = (env: NodeJS.ProcessEnv, config?: unknown) => {
      try {
        resolveRemoteConfig(env, project(config).pipeline);
      } catch (error) {
        return (error as Error & { code: string }).code + ': ' + (error as Error).message;
      }
      return 'no error';
    };
    expect(bad({ TINYFORGE_REMOTE_CACHE: 'ftp://x/y' })).toMatch(/CONFIG_INVALID: .*must be http:\/\/ or https:\/\//);
    expect(bad({ TINYFORGE_REMOTE_CACHE: 'http://x', TINYFORGE_REMOTE_CACHE_MODE: 'write' })).toMatch(/mode "write" is not "readwrite" or "read"/);
    expect(bad({}, '{ not json')).toMatch(/CONFIG_INVALID: not valid JSON/);
    expect(bad({}, { remoteCache: 'http://x' })).toMatch(/must be an object/);
    expect(bad({}, { remoteCache: { url: 'http://x', download: 'some' } })).toMatch(/download "some" is not "minimal" or "all"/);
  });
});
