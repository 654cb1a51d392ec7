import type { ArtifactKind, FileArtifactKind, JsonObject, SampleArtifactKind, SampleRef } from '@tinyforge/sdk';

export const MANIFEST_FORMAT = 1;

/** A dataset or features artifact: small canonical JSON naming one blob per sample. */
export interface SampleSetManifest {
  format: typeof MANIFEST_FORMAT;
  kind: SampleArtifactKind;
  meta: JsonObject;
  samples: SampleRef[];
}

/** A model or bundle artifact: a sorted list of named file blobs. */
export interface FileSetManifest {
  format: typeof MANIFEST_FORMAT;
  kind: FileArtifactKind;
  meta: JsonObject;
  files: { name: string; digest: string; size: number }[];
}

export type ArtifactManifest = SampleSetManifest | FileSetManifest;

export function isSampleSetManifest(m: ArtifactManifest): m is SampleSetManifest {
  return m.kind === 'dataset' || m.kind === 'features';
}

export function manifestKind(m: ArtifactManifest): ArtifactKind {
  return m.kind;
}
