/** One exported file of an artifact, as its manifest lists it. */
export interface ManifestFile {
  /** Path inside the artifact, `/`-separated. */
  path: string
  size: number
  /** Hex sha256 of the file's bytes (of the link target, for a symbolic link). */
  sha256: string
}

/** `manifest.json` at an artifact's root: what was built, from what, and the hash that proves it. */
export interface ArtifactManifest {
  commit: string
  tree: string
  builtAt: string
  /** Sorted by path. `manifest.json` and the `node_modules` link are not listed. */
  files: ManifestFile[]
  /** sha256 over the sorted `path\0sha256\n` lines: equal hashes mean the same files, byte for byte. */
  contentHash: string
}

/** An immutable build of one commit: a read-only export of its tracked files, named by the commit. */
export interface Artifact {
  commit: string
  tree: string
  /** `<store>/<commit>`; the commit's files sit at its root, next to `manifest.json`. */
  dir: string
  manifest: ArtifactManifest
  contentHash: string
}

/** What an environment reports it runs, and what deploy events name. */
export interface ArtifactRef {
  commit: string
  contentHash: string
}

export const MANIFEST_FILE = 'manifest.json'
