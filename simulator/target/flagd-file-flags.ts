import { readFile } from 'node:fs/promises'
import { rolloutTargeting } from '../../services/flags/rollout-targeting.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { FlagdFileUnusableError } from './target-errors.ts'

type FlagsFile = { flags: Record<string, Record<string, unknown>> } & Record<string, unknown>

export interface FlagdVariants {
  /** @defaultValue 'on' */
  onVariant?: string
  /** @defaultValue 'off' */
  offVariant?: string
}

/**
 * Releases `flag` to `percent` of targeting keys in a flagd flags file that the team's flagd watches: a
 * `fractional` rule over flag key + targeting key (which the daemon hashes over UTF-8 bytes, as firedrill's
 * evaluator does), so a key in the canary at 5% stays in it at 50%. 0 turns the release off (see
 * {@link setFlagdVariant}). The file is replaced atomically (a new file beside it, renamed over it), so flagd
 * reads the old file or the whole new one; every other flag and key is kept. Resolves with the flag as it was.
 */
export async function releaseInFlagdFile(
  file: string,
  flag: string,
  percent: number,
  variants: FlagdVariants = {},
): Promise<Record<string, unknown>> {
  const onVariant = variants.onVariant ?? 'on'
  const offVariant = variants.offVariant ?? 'off'
  if (percent === 0) return setFlagdVariant(file, flag, offVariant)
  return edit(file, flag, [onVariant, offVariant], (definition) => ({
    ...definition,
    state: 'ENABLED',
    defaultVariant: offVariant,
    targeting: rolloutTargeting(percent, onVariant, offVariant),
  }))
}

/** Puts every key on `variant` (the kill switch: the safe value back): no targeting, `variant` as the default. */
export async function setFlagdVariant(
  file: string,
  flag: string,
  variant: string,
): Promise<Record<string, unknown>> {
  return edit(file, flag, [variant], (definition) => {
    const { targeting: _dropped, ...rest } = definition
    return { ...rest, defaultVariant: variant }
  })
}

async function edit(
  file: string,
  flag: string,
  needed: readonly string[],
  change: (definition: Record<string, unknown>) => Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const document = await readFlagsFile(file)
  const definition = document.flags[flag]
  if (definition === undefined)
    throw new FlagdFileUnusableError(
      file,
      `it has no flag "${flag}" (it has ${Object.keys(document.flags).join(', ') || 'none'})`,
    )
  const known = Object.keys((definition.variants ?? {}) as object)
  const missing = needed.filter((v) => !known.includes(v))
  if (missing.length > 0)
    throw new FlagdFileUnusableError(
      file,
      `flag "${flag}" has no variant ${missing.map((v) => `"${v}"`).join(', ')} (it has ${known.join(', ') || 'none'})`,
    )
  const next: FlagsFile = { ...document, flags: { ...document.flags, [flag]: change(definition) } }
  await writeFileAtomically(file, `${JSON.stringify(next, null, 2)}\n`)
  return definition
}

async function readFlagsFile(file: string): Promise<FlagsFile> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new FlagdFileUnusableError(file, `it cannot be read as JSON (${(err as Error).message})`, err)
  }
  const flags = (raw as { flags?: unknown } | null)?.flags
  if (
    typeof raw !== 'object' ||
    raw === null ||
    typeof flags !== 'object' ||
    flags === null ||
    Array.isArray(flags)
  )
    throw new FlagdFileUnusableError(
      file,
      'it is not a flagd flags file (a JSON object with a "flags" object)',
    )
  return raw as FlagsFile
}
