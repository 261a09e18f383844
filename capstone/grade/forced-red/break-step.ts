import { readFile, stat } from 'node:fs/promises'
import { extname, join, posix } from 'node:path'
import type { GateStep } from '../../../gate/config/parse-gate-file.ts'
import { DEFAULT_GATE_FLAGS_FILE } from '../../../gate/steps/flag-inventory-step.ts'
import { isTestFile } from '../../../gate/verify/is-test-file.ts'
import { git } from '../../../record/git/git.ts'

/** The files to write (path in the repository → new text) that make one step red, and how, in words. */
export type Breakage = { files: Record<string, string>; how: string } | { cannot: string }

const NAME = 'firedrill-forced-red'
const DAY_MS = 86_400_000

const FAILING_TEST = `
import * as firedrillForcedRed from 'vitest'

firedrillForcedRed.test('firedrill grade forces this step red', () => {
  firedrillForcedRed.expect('red').toBe('green')
})
`

/** A private key block, put together here so no source file of firedrill's holds one. */
const FAKE_KEY = [
  ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' '),
  'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAforcedredbyfiredrillgrade',
  ['-----END', 'PRIVATE', 'KEY-----'].join(' '),
  '',
].join('\n')

const isDir = async (path: string) => (await stat(path).catch(() => null))?.isDirectory() === true

/** Where a test file the step runs can go: a new file in a folder it runs, or appended to a file it names. */
async function testBreakage(dir: string, step: GateStep): Promise<Breakage> {
  const paths = step.paths ?? []
  for (const path of paths)
    if (await isDir(join(dir, path)))
      return {
        files: { [posix.join(path, `${NAME}.test.ts`)]: FAILING_TEST },
        how: `a failing test in ${path}/`,
      }
  for (const path of paths) {
    if (!isTestFile(path) || !/\.[cm]?tsx?$|\.[cm]?jsx?$/.test(path)) continue
    const text = await readFile(join(dir, path), 'utf8').catch(() => undefined)
    if (text !== undefined)
      return { files: { [path]: text + FAILING_TEST }, how: `a failing test added to ${path}` }
  }
  if (paths.length > 0)
    return { cannot: `none of its paths (${paths.join(', ')}) is a folder or a test file here` }
  const tests = (await git(dir, ['ls-files']))
    .split('\n')
    .filter((f) => isTestFile(f) && /\.[cm]?[jt]s$/.test(f))
  const folder = tests[0] === undefined ? '' : posix.dirname(tests[0])
  return {
    files: { [posix.join(folder, `${NAME}.test.ts`)]: FAILING_TEST },
    how: 'a failing test beside the others',
  }
}

/** A TypeScript file with a type error, beside the repository's first source file. */
async function typeBreakage(dir: string): Promise<Breakage> {
  const sources = (await git(dir, ['ls-files', '*.ts'])).split('\n').filter((f) => f !== '' && !isTestFile(f))
  const first = sources.find((f) => !f.endsWith('.d.ts'))
  const folder = first === undefined ? '' : posix.dirname(first)
  return {
    files: { [posix.join(folder, `${NAME}.ts`)]: "export const forcedRed: number = 'not a number'\n" },
    how: `a type error in ${posix.join(folder, `${NAME}.ts`)}`,
  }
}

async function secretBreakage(dir: string, step: GateStep): Promise<Breakage> {
  const paths = step.paths ?? []
  if (paths.length === 0) return { files: { [`${NAME}.pem`]: FAKE_KEY }, how: 'a private key committed' }
  for (const path of paths)
    if (await isDir(join(dir, path)))
      return {
        files: { [posix.join(path, `${NAME}.pem`)]: FAKE_KEY },
        how: `a private key committed in ${path}/`,
      }
  return { cannot: `none of its paths (${paths.join(', ')}) is a folder to put a file in` }
}

async function flagsBreakage(dir: string, step: GateStep): Promise<Breakage> {
  const file = step.flagsFile ?? DEFAULT_GATE_FLAGS_FILE
  let document: { flags?: Record<string, { metadata?: Record<string, unknown> }> }
  try {
    document = JSON.parse(await readFile(join(dir, file), 'utf8'))
  } catch {
    return { files: { [file]: '{ "flags": ' }, how: `${file} cut short (not JSON)` }
  }
  const [key, flag] = Object.entries(document.flags ?? {})[0] ?? []
  if (key === undefined || flag === undefined) return { cannot: `${file} holds no flag to break` }
  const metadata = { ...(flag.metadata ?? {}) }
  let how: string
  if (step.kind === 'flag-debt') {
    metadata.expiresAt = '2000-01-01'
    how = `${key} expired (expiresAt 2000-01-01)`
  } else {
    delete metadata.owner
    how = `${key} without an owner`
  }
  const flags = { ...document.flags, [key]: { ...flag, metadata } }
  return { files: { [file]: `${JSON.stringify({ ...document, flags }, null, 2)}\n` }, how }
}

/** A fourkeys export whose trailing period fails every deployment, over a clean baseline. */
function governorBreakage(step: GateStep, now: number): Breakage {
  const events = step.governor?.events
  if (events === undefined) return { cannot: 'it names no events file (with.events)' }
  const trailing = step.governor?.trailingDays ?? 30
  const baseline = step.governor?.baselineDays ?? 90
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString()
  const deployments = []
  const incidents = []
  for (let i = 0; i < 10; i++) {
    const old = trailing + 1 + (i * (baseline - 2)) / 10
    deployments.push({
      deploy_id: `base-${i}`,
      environment: 'production',
      time_created: at(old),
      changes: [],
      result: 'success',
    })
    const recent = ((i + 1) * trailing) / 12
    deployments.push({
      deploy_id: `red-${i}`,
      environment: 'production',
      time_created: at(recent),
      changes: [],
      result: 'success',
    })
    incidents.push({
      incident_id: `red-${i}`,
      time_created: at(recent - 0.01),
      time_resolved: at(recent - 1 / 24),
      root_cause: null,
      deployment_id: `red-${i}`,
    })
  }
  return {
    files: { [events]: `${JSON.stringify({ changes: [], deployments, incidents }, null, 2)}\n` },
    how: `${events}: every recent deployment failed, none in the baseline`,
  }
}

/** A `run` step fails when a script file it runs fails: the first tracked file its command names. */
async function commandBreakage(dir: string, step: GateStep): Promise<Breakage> {
  const tokens = (step.run ?? '').split(/\s+/).map((t) => t.replace(/^['"]|['"]$/g, ''))
  for (const token of tokens) {
    if (token === '' || token.startsWith('-')) continue
    const tracked = await git(dir, ['ls-files', '--', token]).catch(() => '')
    if (tracked.split('\n')[0] !== token) continue
    const ext = extname(token)
    const failing = ['.js', '.mjs', '.cjs', '.ts', '.mts'].includes(ext)
      ? 'process.exit(1)\n'
      : ext === '.py'
        ? 'raise SystemExit(1)\n'
        : '#!/bin/sh\nexit 1\n'
    return { files: { [token]: failing }, how: `${token}, which it runs, made to exit 1` }
  }
  return { cannot: `its command (${step.run}) runs no file of the repository the grader could make fail` }
}

/**
 * What to change in the repository at `dir` (trunk checked out) to make `step` red and, as far as can be, only
 * it: a type error, a failing test where the step looks, a committed private key, a flag expired or without an
 * owner, a failing governor export, a failing script. `{ cannot }` when the grader knows no way.
 */
export function breakStep(dir: string, step: GateStep, now: number = Date.now()): Promise<Breakage> {
  switch (step.kind) {
    case 'typecheck':
      return typeBreakage(dir)
    case 'unit-tests':
    case 'contract-tests':
      return testBreakage(dir, step)
    case 'secret-scan':
      return secretBreakage(dir, step)
    case 'flag-inventory':
    case 'flag-debt':
      return flagsBreakage(dir, step)
    case 'cfr-governor':
      return Promise.resolve(governorBreakage(step, now))
    case 'run':
      return commandBreakage(dir, step)
    case 'gate-file':
      return Promise.resolve({
        cannot:
          "it judges a change to the gate file itself by trunk's gate file; it is not a step a change can break",
      })
  }
}
