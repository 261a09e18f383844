import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import type { Artifact, ArtifactRef } from './artifact.ts'
import { openArtifact } from './build-artifact.ts'

/** A tag's name: what a pipeline promotes by (`release`, `staging-verified`). */
const TAG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/**
 * A tag is mutable, like a container image tag: `<store>/tags/<tag>.json` names the artifact it points at now,
 * and tagging again moves it. Returns what it pointed at before (null: it is new). A pipeline that promotes by tag
 * deploys whatever the tag names at the moment it looks, which is why a deploy checks the content hash it was
 * verified with (`DeployOptions.verifiedContentHash`), not the tag.
 */
export async function tagArtifact(
  store: string,
  tag: string,
  artifact: Artifact,
): Promise<ArtifactRef | null> {
  const before = await readTag(store, tag)
  const ref: ArtifactRef = { commit: artifact.commit, contentHash: artifact.contentHash }
  await writeFileAtomically(tagFile(store, tag), `${JSON.stringify(ref)}\n`)
  return before
}

/** The artifact a tag points at now, verified against its manifest; undefined when there is no such tag. */
export async function resolveTag(store: string, tag: string): Promise<Artifact | undefined> {
  const ref = await readTag(store, tag)
  return ref === null ? undefined : openArtifact(join(store, ref.commit))
}

async function readTag(store: string, tag: string): Promise<ArtifactRef | null> {
  try {
    const parsed = JSON.parse(await readFile(tagFile(store, tag), 'utf8')) as Partial<ArtifactRef>
    if (typeof parsed.commit !== 'string' || typeof parsed.contentHash !== 'string')
      throw new Error(`tag ${tag} in ${store} is not {commit, contentHash}`)
    return { commit: parsed.commit, contentHash: parsed.contentHash }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

function tagFile(store: string, tag: string): string {
  if (!TAG_NAME.test(tag)) throw new Error(`"${tag}" is not a tag name (letters, digits, dots, dashes)`)
  return join(store, 'tags', `${tag}.json`)
}
