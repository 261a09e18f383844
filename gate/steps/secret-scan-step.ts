import { commitFiles } from './commit-blobs.ts'
import { findSecrets, type SecretFinding } from './secret-rules.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

/** Files larger than this are data, not code; the scan reads only their first part. */
const MAX_SCAN_BYTES = 1024 * 1024

/**
 * Scans the files the commit holds (read from git's objects, so nothing a step wrote counts; never
 * node_modules, nor what the step's `ignore` lists) with secretlint's recommended rules and firedrill's patterns: private keys, cloud keys (an
 * AWS secret key alone on its line too), chat and code-host tokens, passwords in variables and code,
 * credentials inside URLs. Reports each as `file:line rule masked`; the secret itself never reaches the report.
 */
export async function secretScanStep(ctx: StepContext): Promise<StepOutcome> {
  const ignored = (ctx.step.ignore ?? []).map((p) => p.replace(/\/+$/, ''))
  const files = (await commitFiles(ctx.repo, ctx.commit, ctx.step.paths ?? [], MAX_SCAN_BYTES)).filter(
    (f) =>
      !f.path.split('/').includes('node_modules') &&
      !ignored.some((p) => f.path === p || f.path.startsWith(`${p}/`)),
  )
  const findings: SecretFinding[] = []
  for (const file of files) {
    if (file.bytes.subarray(0, 8192).includes(0)) continue // binary
    findings.push(...(await findSecrets(file.path, file.bytes.toString('utf8'))))
  }
  if (findings.length === 0)
    return { status: 'passed', outputTail: `scanned ${files.length} committed files: no secrets` }
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
