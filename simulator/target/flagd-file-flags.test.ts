import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFlagdCore } from '../../services/flags/bucketing/create-flagd-core.ts'
import knownAnswers from '../../services/flags/testing/flagd-fractional-known-answers.json' with {
  type: 'json',
}
import { releaseInFlagdFile, setFlagdVariant } from './flagd-file-flags.ts'
import { TargetDrillErrorCode } from './target-errors.ts'

const { daemon } = knownAnswers

/** A team's flagd file: no firedrill metadata, a schema key and a shared evaluator, and a flag of its own. */
const TEAM_FILE = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  $evaluators: { internal: { ends_with: [{ var: 'email' }, '@example.com'] } },
  flags: {
    [daemon.flagKey]: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
    'search.v2': { state: 'DISABLED', variants: { a: 'a', b: 'b' }, defaultVariant: 'a' },
  },
}

async function teamFile(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'firedrill-flagd-')), 'flags.json')
  await writeFile(file, JSON.stringify(TEAM_FILE, null, 2))
  return file
}

/** What firedrill's evaluator gives each known key from the file as written. */
async function evaluate(file: string): Promise<Map<string, boolean>> {
  const core = createFlagdCore()
  core.setConfigurations(await readFile(file, 'utf8'))
  return new Map(
    daemon.targetingKeys.map(({ targetingKey }) => [
      targetingKey,
      core.resolveBooleanEvaluation(daemon.flagKey, false, { targetingKey }).value,
    ]),
  )
}

describe("canary steps in a team's flagd file", () => {
  it('puts each non-ASCII key (kunde-ü…, 客户…) in the canary the flagd daemon puts it in, at 5% and at 50%', async () => {
    const file = await teamFile()
    for (const percent of [5, 50] as const) {
      await releaseInFlagdFile(file, daemon.flagKey, percent)
      const values = await evaluate(file)
      for (const { targetingKey, variants } of daemon.targetingKeys)
        expect([targetingKey, values.get(targetingKey)]).toEqual([
          targetingKey,
          variants[`rollout-${percent}`] === 'on',
        ])
    }
  })

  it('replaces the file atomically and keeps every other flag and key', async () => {
    const file = await teamFile()
    const before = await stat(file)
    const previous = await releaseInFlagdFile(file, daemon.flagKey, 25)
    expect(previous).toEqual(TEAM_FILE.flags[daemon.flagKey])
    const written = JSON.parse(await readFile(file, 'utf8'))
    expect((await stat(file)).ino).not.toBe(before.ino)
    expect(await readdir(join(file, '..'))).toEqual(['flags.json'])
    expect(written.$schema).toBe(TEAM_FILE.$schema)
    expect(written.$evaluators).toEqual(TEAM_FILE.$evaluators)
    expect(written.flags['search.v2']).toEqual(TEAM_FILE.flags['search.v2'])
    expect(written.flags[daemon.flagKey].targeting).toEqual({
      fractional: [
        ['on', 25],
        ['off', 75],
      ],
    })
  })

  it('turns the release off for every key (0%, or the kill switch), with no targeting left', async () => {
    const file = await teamFile()
    await releaseInFlagdFile(file, daemon.flagKey, 50)
    await releaseInFlagdFile(file, daemon.flagKey, 0)
    expect([...(await evaluate(file)).values()].every((on) => !on)).toBe(true)
    await releaseInFlagdFile(file, daemon.flagKey, 100)
    expect([...(await evaluate(file)).values()].every((on) => on)).toBe(true)
    await setFlagdVariant(file, daemon.flagKey, 'off')
    const written = JSON.parse(await readFile(file, 'utf8'))
    expect(written.flags[daemon.flagKey]).toEqual({
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
    })
  })

  it('refuses a flag or a variant the file does not have, and leaves the file as it was', async () => {
    const file = await teamFile()
    const text = await readFile(file, 'utf8')
    await expect(releaseInFlagdFile(file, 'nope', 5)).rejects.toMatchObject({
      code: TargetDrillErrorCode.FLAGD_FILE_UNUSABLE,
    })
    await expect(releaseInFlagdFile(file, 'search.v2', 5)).rejects.toThrow(
      'has no variant "on", "off" (it has a, b)',
    )
    await writeFile(join(file, '..', 'broken.json'), '{"flags": [')
    await expect(setFlagdVariant(join(file, '..', 'broken.json'), 'x', 'off')).rejects.toMatchObject({
      code: TargetDrillErrorCode.FLAGD_FILE_UNUSABLE,
    })
    expect(await readFile(file, 'utf8')).toBe(text)
  })
})
