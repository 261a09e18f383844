import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { git } from '../sandbox/git.ts'
import { findSecrets, type SecretFinding } from './secret-rules.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

/** Files larger than this are data, not code; the scan reads only their first part. */
const MAX_SCAN_BYTES = 1024 * 1024

async function readText(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(MAX_SCAN_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, MAX_SCAN_BYTES, 0)
    const bytes = buffer.subarray(0, bytesRead)
    if (bytes.subarray(0, 8192).includes(0)) return undefined // binary
    return bytes.toString('utf8')
  } finally {
    await handle.close()
  }
}

/**
 * Scans the files the commit tracks (never untracked or ignored ones, never node_modules) for committed
 * secrets: private keys, AWS keys, Slack and GitHub tokens, password and token assignments. Reports each as
 * `file:line rule masked`; the secret itself never reaches the report.
 */
export async function secretScanStep(ctx: StepContext): Promise<StepOutcome> {
  const listed = await git(ctx.worktree, ['ls-files', '-z', '--', ...(ctx.step.paths ?? [])])
  const files = listed.split('\0').filter((f) => f !== '' && !f.split('/').includes('node_modules'))
  const findings: SecretFinding[] = []
  for (const file of files) {
    let text: string | undefined
    try {
      text = await readText(join(ctx.worktree, file))
    } catch {
      continue // a tracked symlink to a directory, or a submodule
    }
    if (text !== undefined) findings.push(...findSecrets(file, text))
  }
  if (findings.length === 0)
    return { status: 'passed', outputTail: `scanned ${files.length} tracked files: no secrets` }
  const lines = findings.map((f) => `${f.file}:${f.line}  ${f.rule}  ${f.masked}`)
  return {
    status: 'failed',
    outputTail: [
      ...lines.slice(0, 40),
      ...(lines.length > 40 ? [`… and ${lines.length - 40} more`] : []),
      'Remove the secret from the commit (and rotate it), or mark a deliberate fixture with a firedrill:allow-secret comment on its line.',
    ].join('\n'),
    reason: `${findings.length} secret(s) committed in ${new Set(findings.map((f) => f.file)).size} file(s)`,
  }
}
