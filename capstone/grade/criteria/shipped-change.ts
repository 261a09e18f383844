import type { GateFile } from '../../../gate/config/parse-gate-file.ts'
import { DEFAULT_GATE_FLAGS_FILE } from '../../../gate/steps/flag-inventory-step.ts'
import { isTestFile } from '../../../gate/verify/is-test-file.ts'
import { git } from '../../../record/git/git.ts'

/** What a commit ships upstream that keeps a defect out: a test, a contract test, a changed flag default. */
export interface ShippedChange {
  tests: string[]
  /** Test files a contract-tests step of the gate file runs. */
  contracts: string[]
  /** Flags whose default variant the commit changed. */
  flagDefaults: string[]
}

/** The files a commit changed against its first parent. */
export async function changedFiles(repo: string, commit: string): Promise<string[]> {
  const parent = await git(repo, ['rev-parse', '--verify', '--quiet', `${commit}^1`]).catch(() => '')
  const out =
    parent === ''
      ? await git(repo, ['ls-tree', '-r', '--name-only', commit])
      : await git(repo, ['diff', '--name-only', '--no-renames', parent, commit])
  return out.split('\n').filter((f) => f !== '')
}

const underAny = (file: string, paths: readonly string[]) =>
  paths.some((p) => file === p || file.startsWith(`${p.replace(/\/$/, '')}/`) || file.includes(p))

async function defaultsAt(repo: string, ref: string): Promise<Record<string, string>> {
  try {
    const doc = JSON.parse(await git(repo, ['show', `${ref}:${DEFAULT_GATE_FLAGS_FILE}`])) as {
      flags?: Record<string, { defaultVariant?: string }>
    }
    return Object.fromEntries(Object.entries(doc.flags ?? {}).map(([k, f]) => [k, String(f.defaultVariant)]))
  } catch {
    return {}
  }
}

/** What `commit` ships: tests it adds or changes, contract tests among them, flag defaults it changes. */
export async function shippedChange(
  repo: string,
  commit: string,
  gateFile: GateFile | null,
): Promise<ShippedChange> {
  const files = await changedFiles(repo, commit)
  const tests = files.filter(isTestFile)
  const contractPaths = (gateFile?.steps ?? [])
    .filter((s) => s.kind === 'contract-tests')
    .flatMap((s) => s.paths ?? [])
  const contracts = tests.filter((f) => underAny(f, contractPaths))
  let flagDefaults: string[] = []
  if (files.includes(DEFAULT_GATE_FLAGS_FILE)) {
    const before = await defaultsAt(repo, `${commit}^1`)
    const after = await defaultsAt(repo, commit)
    flagDefaults = Object.keys(after).filter((k) => before[k] !== undefined && before[k] !== after[k])
  }
  return { tests, contracts, flagDefaults }
}

export function describeShipped(s: ShippedChange): string | null {
  const parts = [
    ...(s.contracts.length > 0 ? [`contract test ${s.contracts.join(', ')}`] : []),
    ...(s.tests.filter((t) => !s.contracts.includes(t)).length > 0
      ? [`test ${s.tests.filter((t) => !s.contracts.includes(t)).join(', ')}`]
      : []),
    ...(s.flagDefaults.length > 0 ? [`flag default of ${s.flagDefaults.join(', ')}`] : []),
  ]
  return parts.length === 0 ? null : parts.join('; ')
}
