import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ArtifactManifest, MANIFEST_FILE } from './artifact.ts'
import { contentHash, hashFiles } from './content-hash.ts'

export interface ArtifactVerification {
  ok: boolean
  /** The hash of the files as they are now (compare with the manifest's to prove what runs). */
  contentHash: string
  /** One line per difference: an edited, missing or extra file, or a manifest that contradicts itself. */
  problems: string[]
}

/** Reads an artifact's manifest; rejects when it is missing or not JSON. */
export async function readManifest(dir: string): Promise<ArtifactManifest> {
  return JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as ArtifactManifest
}

/** Rehashes every file of an artifact and compares it with the manifest. Never throws. */
export async function verifyArtifact(dir: string): Promise<ArtifactVerification> {
  let manifest: ArtifactManifest
  try {
    manifest = await readManifest(dir)
  } catch (err) {
    return {
      ok: false,
      contentHash: '',
      problems: [`${MANIFEST_FILE} unreadable: ${(err as Error).message}`],
    }
  }
  let actual: Awaited<ReturnType<typeof hashFiles>>
  try {
    actual = await hashFiles(dir)
  } catch (err) {
    return { ok: false, contentHash: '', problems: [`files unreadable: ${(err as Error).message}`] }
  }
  if (!Array.isArray(manifest.files) || typeof manifest.contentHash !== 'string')
    return {
      ok: false,
      contentHash: contentHash(actual),
      problems: [`${MANIFEST_FILE}: no files list or contentHash`],
    }
  const problems: string[] = []
  const listed = new Map(manifest.files.map((f) => [f.path, f]))
  for (const file of actual) {
    const want = listed.get(file.path)
    if (want === undefined) problems.push(`${file.path}: not in the manifest`)
    else if (want.sha256 !== file.sha256 || want.size !== file.size) problems.push(`${file.path}: edited`)
    listed.delete(file.path)
  }
  for (const path of listed.keys()) problems.push(`${path}: missing`)
  const hash = contentHash(actual)
  if (contentHash(manifest.files) !== manifest.contentHash)
    problems.push('manifest: contentHash does not match its own file list')
  else if (hash !== manifest.contentHash) problems.push('contentHash differs from the manifest')
  return { ok: problems.length === 0, contentHash: hash, problems }
}
