import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { isMap, isSeq, parseDocument } from 'yaml'
import { GATE_FILE_NAME } from '../../gate/config/gate-file-schema.ts'
import { createSandboxRepo, PROJECT_ROOT } from '../../gate/sandbox/sandbox-repo.ts'
import { git } from '../../record/git/git.ts'
import { CapstoneDirNotEmptyError } from '../capstone-errors.ts'
import { RUBRIC_FILE, rubricTemplate } from '../rubric.ts'
import { capstoneFlags } from './capstone-flags.ts'
import { capstonePackageJson } from './capstone-package.ts'
import { capstoneReadme } from './capstone-readme.ts'
import { capstoneGateWorkflow, GATE_WORKFLOW_FILE } from './gate-workflow.ts'
import { MISTAKE_LOG_FILE, mistakeLogTemplate } from './mistake-log-template.ts'

export interface CreateCapstoneOptions {
  /** Dates the flags file. @defaultValue Date.now() */
  now?: number
  /** @defaultValue the firedrill installation this runs from */
  projectRoot?: string
}

export interface Capstone {
  dir: string
  trunk: string
  /** Trunk's head: the commit that starts the capstone. */
  commit: string
  /** Every file the starting commit holds. */
  files: string[]
}

/** `dir` must be absent or an empty directory: init never writes over anything. Returns whether it exists. */
async function checkEmpty(dir: string): Promise<boolean> {
  const found = await stat(dir).catch(() => null)
  if (found === null) return false
  if (!found.isDirectory()) throw new CapstoneDirNotEmptyError(dir, 'it is a file')
  const entries = await readdir(dir)
  if (entries.length > 0)
    throw new CapstoneDirNotEmptyError(
      dir,
      `it is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`,
    )
  return true
}

async function write(dir: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true })
  await writeFile(join(dir, path), text)
}

/**
 * The shop's gate file without its `cfr-governor` step: adding one is the student's stretch goal. The delivery
 * history it reads (`dora/events.json`) stays, for the student to name. Comments are kept.
 */
async function withoutGovernor(dir: string): Promise<void> {
  const file = join(dir, GATE_FILE_NAME)
  const doc = parseDocument(await readFile(file, 'utf8'))
  const steps = doc.get('steps')
  if (!isSeq(steps)) return
  steps.items = steps.items.filter((step) => !(isMap(step) && step.get('uses') === 'cfr-governor'))
  await writeFile(file, doc.toString({ lineWidth: 0 }))
}

/**
 * Creates a capstone repository in `dir`: what a drill's sandbox holds (the shop, its tests and gate file, the
 * trunk merge hook), then the capstone's own files on top, in a second commit: the flags file with every flag
 * owned, ticketed and dated, the gate workflow, the mistake log, the rubric, the package.json and the README.
 */
export async function createCapstone(target: string, options: CreateCapstoneOptions = {}): Promise<Capstone> {
  const dir = resolve(target)
  const existed = await checkEmpty(dir)
  try {
    return await fill(dir, options)
  } catch (err) {
    // Nothing half-made is left behind: the directory goes back to absent, or empty, as it was.
    if (existed)
      for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true })
    else await rm(dir, { recursive: true, force: true })
    throw err
  }
}

async function fill(dir: string, options: CreateCapstoneOptions): Promise<Capstone> {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT
  const repo = await createSandboxRepo(dir, projectRoot)
  const name = basename(dir)
  await capstoneFlags(dir, options.now ?? Date.now())
  await withoutGovernor(dir)
  await write(dir, GATE_WORKFLOW_FILE, capstoneGateWorkflow())
  await write(dir, MISTAKE_LOG_FILE, mistakeLogTemplate())
  await write(dir, RUBRIC_FILE, rubricTemplate())
  await write(dir, 'package.json', await capstonePackageJson(name, projectRoot))
  await write(dir, 'README.md', capstoneReadme(name, repo.trunk))
  await write(dir, '.gitignore', 'node_modules\n.firedrill/\n')
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '-q', '-m', 'chore: start the capstone'])
  const commit = await git(dir, ['rev-parse', 'HEAD'])
  const files = (await git(dir, ['ls-files'])).split('\n').filter((f) => f !== '')
  return { dir, trunk: repo.trunk, commit, files }
}
