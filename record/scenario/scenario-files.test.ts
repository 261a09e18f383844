import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'
import { runCliInProcess } from '../../test/support/run-cli.ts'
import { RecordErrorCode, type ScenarioFileError } from '../errors.ts'
import { loadScenario, MAX_SCENARIO_BYTES } from './load-scenario.ts'
import { SCENARIO_CATALOG_DIR } from './scenario-catalog.ts'
import { MAX_PATCH_BYTES } from './scenario-files.ts'

const CATALOG = join(SCENARIO_CATALOG_DIR, 'bad-pricing')
const SIDE_FILES = ['team.yaml', 'change.patch', 'fix.patch', 'cleanup.patch']
const baseText = readFileSync(join(CATALOG, 'scenario.yaml'), 'utf8')
const work = mkdtempSync(join(tmpdir(), 'firedrill-scenario-files-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

let counter = 0
/** A copy of bad-pricing in a folder of its own (two levels down in `work`), with `text` as its scenario. */
function scenarioFolder(text = baseText): { dir: string; file: string } {
  const dir = join(work, `case${++counter}`, 'scenario')
  mkdirSync(dir, { recursive: true })
  for (const name of SIDE_FILES) writeFileSync(join(dir, name), readFileSync(join(CATALOG, name)))
  const file = join(dir, 'scenario.yaml')
  writeFileSync(file, text)
  return { dir, file }
}

/** bad-pricing with one line that names a file replaced, e.g. `  patch: change.patch` → `  patch: ../x`. */
function naming(line: string, replacement: string): { dir: string; file: string } {
  expect(baseText).toContain(line)
  return scenarioFolder(baseText.replace(line, replacement))
}

async function refusal(file: string): Promise<FiredrillInputError> {
  const err = await loadScenario(file).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FiredrillInputError)
  expect((err as FiredrillInputError).exitCode).toBe(2)
  return err as FiredrillInputError
}

async function fileRefusal(file: string, code: string, field: string): Promise<ScenarioFileError> {
  const err = (await refusal(file)) as ScenarioFileError
  expect(err.code).toBe(code)
  expect(err.field).toBe(field)
  expect(err.file).toBe(file)
  expect(err.message).toContain(field)
  expect(err.message).toContain(file)
  return err
}

describe('scenario files that are empty or odd', () => {
  it.each([
    ['an empty file', ''],
    ['only blank lines', '\n\n   \n'],
    ['only comments', '# a scenario, one day\n# title: not yet\n'],
    ['an empty document', '---\n# nothing here\n'],
    ['a null document', '~\n'],
  ])('refuses %s as empty, naming the file', async (_what, text) => {
    const { file } = scenarioFolder(text)
    const err = await refusal(file)
    expect(err.code).toBe(RecordErrorCode.SCENARIO_EMPTY)
    expect(err.message).toContain(file)
  })

  it('refuses bytes that are not UTF-8, with their line', async () => {
    const { file } = scenarioFolder()
    writeFileSync(file, Buffer.concat([Buffer.from('title: x\nseed: 1\n'), Buffer.from([0xff, 0xfe, 0x41])]))
    const err = await refusal(file)
    expect(err.code).toBe(RecordErrorCode.SCENARIO_NOT_TEXT)
    expect(err.message).toContain('line 3')
  })

  it('refuses a FIFO as the scenario at once instead of waiting for a writer', async () => {
    const { dir } = scenarioFolder()
    const fifo = join(dir, 'fifo.yaml')
    execFileSync('mkfifo', [fifo])
    const err = await refusal(fifo)
    expect(err.code).toBe(RecordErrorCode.SCENARIO_NOT_REGULAR_FILE)
    expect(err.message).toContain('FIFO')
  }, 5000)

  it('refuses a scenario past the size limit without reading it all', async () => {
    const { file } = scenarioFolder(`${baseText}\n#${'x'.repeat(MAX_SCENARIO_BYTES)}\n`)
    expect((await refusal(file)).code).toBe(RecordErrorCode.SCENARIO_TOO_LARGE)
  })
})

describe('files a scenario names', () => {
  it('resolves them to real paths inside the scenario folder', async () => {
    const { dir, file } = scenarioFolder()
    const loaded = await loadScenario(file)
    expect(loaded.files).toEqual({
      'change.patch': join(dir, 'change.patch'),
      'followUp.fix': join(dir, 'fix.patch'),
      'followUp.cleanup': join(dir, 'cleanup.patch'),
      team: join(dir, 'team.yaml'),
    })
  })

  it('follows a symlink that stays inside the folder', async () => {
    const { dir, file } = naming('  patch: change.patch', '  patch: patches/current.patch')
    mkdirSync(join(dir, 'patches'))
    symlinkSync('../change.patch', join(dir, 'patches', 'current.patch'))
    expect((await loadScenario(file)).files['change.patch']).toBe(join(dir, 'change.patch'))
  })

  it('refuses a missing file, naming the field', async () => {
    const { file } = naming('  fix: fix.patch', '  fix: missing.patch')
    await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_NOT_FOUND, 'followUp.fix')
  })

  it('refuses a roster outside the folder (team: ../../etc/passwd)', async () => {
    const { file } = naming('team: team.yaml', 'team: ../../etc/passwd')
    // Two levels up from work/caseN/scenario is work: the roster is looked for in work/etc/passwd.
    mkdirSync(join(work, 'etc'), { recursive: true })
    writeFileSync(join(work, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
    const err = await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_OUTSIDE, 'team')
    expect(err.message).toContain('../../etc/passwd')
  })

  it('refuses a patch reached through ..', async () => {
    const { dir, file } = naming('  patch: change.patch', '  patch: ../elsewhere.patch')
    writeFileSync(join(dir, '..', 'elsewhere.patch'), readFileSync(join(CATALOG, 'change.patch')))
    await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_OUTSIDE, 'change.patch')
  })

  it('refuses a symlink that points out of the folder', async () => {
    const { dir, file } = naming('  cleanup: cleanup.patch', '  cleanup: linked.patch')
    const outside = join(work, `outside-${counter}.patch`)
    writeFileSync(outside, readFileSync(join(CATALOG, 'cleanup.patch')))
    symlinkSync(outside, join(dir, 'linked.patch'))
    await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_OUTSIDE, 'followUp.cleanup')
  })

  it('refuses an absolute path out of the folder', async () => {
    const { file } = naming('  fix: fix.patch', '  fix: /etc/passwd')
    await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_OUTSIDE, 'followUp.fix')
  })

  it('refuses a FIFO as a patch at once', async () => {
    const { dir, file } = naming('  patch: change.patch', '  patch: pipe.patch')
    execFileSync('mkfifo', [join(dir, 'pipe.patch')])
    const err = await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_NOT_REGULAR, 'change.patch')
    expect(err.message).toContain('FIFO')
  }, 5000)

  it('refuses a directory as a patch', async () => {
    const { dir, file } = naming('  patch: change.patch', '  patch: patches')
    mkdirSync(join(dir, 'patches'))
    const err = await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_NOT_REGULAR, 'change.patch')
    expect(err.message).toContain('directory')
  })

  it('refuses a patch past its size limit', async () => {
    const { dir, file } = scenarioFolder()
    writeFileSync(join(dir, 'fix.patch'), Buffer.alloc(MAX_PATCH_BYTES + 1, 0x2b))
    await fileRefusal(file, RecordErrorCode.SCENARIO_FILE_TOO_LARGE, 'followUp.fix')
  })

  it('refuses a roster that is no roster when the scenario loads, not at the end of a drill', async () => {
    const { dir, file } = scenarioFolder()
    writeFileSync(join(dir, 'team.yaml'), 'team: Checkout\nmembers: []\n')
    expect((await refusal(file)).code).toBe(RecordErrorCode.ROSTER_INVALID)
  })
})

describe('firedrill plan with a bad scenario', () => {
  it.each([
    ['an empty file', () => scenarioFolder('').file, 'is empty'],
    ['only comments', () => scenarioFolder('# nothing yet\n').file, 'is empty'],
    ['team: ../../etc/passwd', () => naming('team: team.yaml', 'team: ../../etc/passwd').file, 'team'],
    [
      'a FIFO patch',
      () => {
        const { dir, file } = naming('  patch: change.patch', '  patch: pipe.patch')
        execFileSync('mkfifo', [join(dir, 'pipe.patch')])
        return file
      },
      'change.patch',
    ],
  ])(
    'exits 2 for %s, naming the field and the file, without a stack trace',
    async (_what, make, field) => {
      mkdirSync(join(work, 'etc'), { recursive: true })
      writeFileSync(join(work, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
      const file = make()
      const result = await runCliInProcess(['plan', '--scenario', file])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(file)
      expect(result.stderr).toContain(field)
      expect(result.stderr).not.toMatch(/\n\s+at /)
      expect(result.stderr).not.toContain('unexpected failure')
    },
    5000,
  )
})
