import type {
  FileArtifactKind,
  FileSetReader,
  FileSetWriter,
  JsonObject,
  JsonValue,
  Sample,
  SampleArtifactKind,
  SampleRef,
  SampleSetReader,
  SampleSetWriter,
} from '@tinyforge/sdk';
import { TinyforgeError } from '@tinyforge/sdk';
import type { ContentStore } from '../store/cas.js';
import { canonicalJson } from '../util/canonical-json.js';
import { decodeSample, encodeSample } from './sample-codec.js';
import { MANIFEST_FORMAT, isSampleSetManifest, type ArtifactManifest, type FileSetManifest, type SampleSetManifest } from './manifest.js';

/** Reads and writes artifacts as manifests + blobs in the content store. */
export class ArtifactStore {
  constructor(readonly cas: ContentStore) {}

  async putManifest(manifest: ArtifactManifest): Promise<string> {
    return this.cas.put(Buffer.from(canonicalJson(manifest), 'utf8'), { fsync: true });
  }

  async getManifest(digest: string): Promise<ArtifactManifest> {
    const bytes = await this.cas.get(digest);
    return JSON.parse(bytes.toString('utf8')) as ArtifactManifest;
  }

  async readSample(ref: SampleRef): Promise<Sample> {
    return decodeSample(await this.cas.get(ref.digest));
  }

  async putSample(sample: Sample): Promise<SampleRef> {
    const digest = await this.cas.put(encodeSample(sample));
    return { id: sample.id, label: sample.label, category: sample.category, digest };
  }

  async reader(digest: string): Promise<SampleSetReader | FileSetReader> {
    const manifest = await this.getManifest(digest);
    return isSampleSetManifest(manifest) ? this.sampleSetReader(digest, manifest) : this.fileSetReader(digest, manifest);
  }

  sampleSetReader(digest: string, manifest: SampleSetManifest): SampleSetReader {
    const store = this;
    return {
      kind: manifest.kind,
      digest,
      samples: manifest.samples,
      meta: manifest.meta,
      read: (ref) => store.readSample(ref),
      async *[Symbol.asyncIterator]() {
        for (const ref of manifest.samples) yield await store.readSample(ref);
      },
    };
  }

  fileSetReader(digest: string, manifest: FileSetManifest): FileSetReader {
    const byName = new Map(manifest.files.map((f) => [f.name, f]));
    const readFile = async (name: string): Promise<Buffer> => {
      const file = byName.get(name);
      if (!file) throw new TinyforgeError({ code: 'BAD_INPUT', message: `artifact ${digest.slice(0, 12)}… has no file "${name}"` });
      return this.cas.get(file.digest);
    };
    return {
      kind: manifest.kind,
      digest,
      files: manifest.files,
      meta: manifest.meta,
      readFile,
      readJson: async <T = JsonValue>(name: string) => JSON.parse((await readFile(name)).toString('utf8')) as T,
    };
  }

  sampleSetWriter(kind: SampleArtifactKind): SampleSetWriter & { finish(): Promise<string>; refs: SampleRef[] } {
    const refs: SampleRef[] = [];
    const ids = new Set<string>();
    let meta: JsonObject = {};
    return {
      kind,
      refs,
      add: async (sample: Sample) => {
        if (ids.has(sample.id)) throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `two output samples share the id "${sample.id}"` });
        ids.add(sample.id);
        refs.push(await this.putSample(sample));
      },
      setMeta: (m) => {
        meta = m;
      },
      finish: () => this.putManifest({ format: MANIFEST_FORMAT, kind, meta, samples: refs }),
    };
  }

  fileSetWriter(kind: FileArtifactKind): FileSetWriter & { finish(): Promise<string> } {
    const files = new Map<string, { name: string; digest: string; size: number }>();
    let meta: JsonObject = {};
    const writeFile = async (name: string, data: Uint8Array | string) => {
      if (!/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(name) || name.includes('..')) {
        throw new TinyforgeError({ code: 'BLOCK_FAILED', message: `invalid artifact file name "${name}"` });
      }
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const digest = await this.cas.put(bytes);
      files.set(name, { name, digest, size: bytes.length });
    };
    return {
      kind,
      writeFile,
      writeJson: (name, value) => writeFile(name, JSON.stringify(value, null, 2)),
      setMeta: (m) => {
        meta = m;
      },
      finish: () =>
        this.putManifest({
          format: MANIFEST_FORMAT,
          kind,
          meta,
          files: [...files.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        }),
    };
  }
}
