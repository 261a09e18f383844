import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateWorkflow } from '@action-validator/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CapstoneErrorCode } from '../capstone/capstone-errors.ts'
import { CRITERIA } from '../capstone/criteria.ts'
import { createCapstone } from '../capstone/init/create-capstone.ts'
import { GATE_WORKFLOW_FILE } from '../capstone/init/gate-workflow.ts'
import { MISTAKE_LOG_COLUMNS, MISTAKE_LOG_FILE } from '../capstone/init/mistake-log-template.ts'
import { loadRubric, RUBRIC_FILE } from '../capstone/rubric.ts'
import { parseGateFile } from '../gate/config/parse-gate-file.ts'
import { flagInventoryProblems } from '../gate/steps/flag-inventory-step.ts'
import { git } from '../record/git/git.ts'
import { auditFlags, findCodeReferences, loadFlagsForAudit } from '../services/flags/lifecycle/index.ts'
import { runCliInProcess } from './support/run-cli.ts'

let work: string
let dir: string
let init: Awaited<ReturnType<typeof runCliInProcess>>

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-init-'))
  dir = join(work, 'my-capstone')
  init = await runCliInProcess(['init', dir])
}, 60_000)
afterAll(() => rm(work, { recursive: true, force: true }))

describe('firedrill init', () => {
  it('creates a git repository on trunk with the shop, its gate file and nothing left uncommitted', async () => {
    expect(init.code, init.stderr).toBe(0)
    expect(init.stdout).toContain(`capstone  ${dir}`)
    expect(await git(dir, ['branch', '--show-current'])).toBe('main')
    expect(await git(dir, ['status', '--porcelain'])).toBe('')
    const files = (await git(dir, ['ls-files'])).split('\n')
    for (const part of ['services/api/', 'services/worker/', 'services/flags/'])
      expect(
        files.some((f) => f.startsWith(part)),
        part,
      ).toBe(true)
    const gate = parseGateFile(
      await readFile(join(dir, 'firedrill-gate.yaml'), 'utf8'),
      'firedrill-gate.yaml',
    )
    expect(gate.trunk).toBe('main')
    expect(gate.steps.filter((s) => s.blocking).map((s) => s.kind)).toEqual(
      expect.arrayContaining(['typecheck', 'unit-tests', 'contract-tests', 'secret-scan', 'flag-debt']),
    )
    // The change-failure-rate governor is the student's stretch goal: the history it reads is there, the step not.
    expect(gate.steps.map((s) => s.kind)).not.toContain('cfr-governor')
    expect(files).toContain('dora/events.json')
  })

  it('gives every flag an owner, a removal ticket and an expiry, with no flag debt today', async () => {
    const file = join(dir, 'services/flags/flags.json')
    const document = await loadFlagsForAudit(file)
    for (const [key, flag] of Object.entries(document.flags)) {
      expect(flag.metadata.owner, key).toBeTruthy()
      expect(flag.metadata.removalTicket, key).toBeTruthy()
      expect(flag.metadata.expiresAt, key).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
    expect(flagInventoryProblems(document.flags)).toEqual([])
    const codeRefs = await findCodeReferences(dir, Object.keys(document.flags), { exclude: [file] })
    expect(auditFlags(document, { now: new Date(), codeRefs })).toEqual([])
  })

  it('ships a valid gate workflow, the mistake log in the clinic columns, and a rubric', async () => {
    expect(validateWorkflow(await readFile(join(dir, GATE_WORKFLOW_FILE), 'utf8')).errors).toEqual([])
    const log = await readFile(join(dir, MISTAKE_LOG_FILE), 'utf8')
    expect(log).toContain(`| ${MISTAKE_LOG_COLUMNS.join(' | ')} |`)
    expect(MISTAKE_LOG_COLUMNS).toEqual([
      'date',
      'mistake',
      'symptom',
      'root cause',
      'repair evidence',
      'retrieval card',
    ])
    const rubric = await loadRubric(join(dir, RUBRIC_FILE))
    expect(Object.keys(rubric.points)).toEqual(CRITERIA.map((c) => c.id))
  })

  it("maps each criterion in the student's README to the commands that produce its evidence", async () => {
    const readme = await readFile(join(dir, 'README.md'), 'utf8')
    for (const criterion of CRITERIA) {
      expect(readme).toContain(`(\`${criterion.id}\`)`)
      for (const command of criterion.commands) expect(readme).toContain(command)
    }
  })

  it('installs the hook that refuses a merge into trunk without a green record', async () => {
    await access(join(dir, '.git', 'hooks', 'pre-merge-commit'))
    expect(await git(dir, ['config', '--get', 'branch.main.mergeOptions'])).toBe('--no-ff')
  })

  it('refuses a directory that is not empty, and leaves it as it was', async () => {
    const taken = join(work, 'taken')
    await mkdir(taken)
    await writeFile(join(taken, 'notes.txt'), 'mine\n')
    const { code, stderr } = await runCliInProcess(['init', taken])
    expect(code).toBe(2)
    expect(stderr).toContain('it is not empty (notes.txt)')
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(await readdir(taken)).toEqual(['notes.txt'])
    await expect(createCapstone(taken)).rejects.toMatchObject({ code: CapstoneErrorCode.DIR_NOT_EMPTY })
    const file = join(work, 'a-file')
    await writeFile(file, 'x')
    expect((await runCliInProcess(['init', file])).code).toBe(2)
  })

  it('leaves no half-made repository when it fails part way', async () => {
    // The fault: an installation without the shop to copy, so init fails after it has started writing.
    const broken = await mkdtemp(join(work, 'no-shop-'))
    await writeFile(join(broken, 'package.json'), '{}')
    const absent = join(work, 'absent')
    await expect(createCapstone(absent, { projectRoot: broken })).rejects.toThrow()
    await expect(access(absent)).rejects.toMatchObject({ code: 'ENOENT' })
    const empty = join(work, 'empty')
    await mkdir(empty)
    await expect(createCapstone(empty, { projectRoot: broken })).rejects.toThrow()
    expect(await readdir(empty)).toEqual([])
  })
})
