/** Immutable builds: what the drill and the command line use to turn a trunk commit into an artifact. */

export {
  type Artifact,
  type ArtifactManifest,
  type ArtifactRef,
  MANIFEST_FILE,
  type ManifestFile,
} from './artifact.ts'
export { allowRemoval, makeReadOnly, removeArtifacts } from './artifact-permissions.ts'
export { resolveTag, tagArtifact } from './artifact-tags.ts'
export { type BuildArtifactOptions, buildArtifact, openArtifact } from './build-artifact.ts'
export { contentHash, hashFiles } from './content-hash.ts'
export { type ArtifactVerification, readManifest, verifyArtifact } from './verify-artifact.ts'
