import { git } from '../../record/git/git.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { type GateFile, type GateStep, parseGateFile } from '../config/parse-gate-file.ts'
import { GitFailedError } from '../gate-errors.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

/** The step the gate adds when a change edits the gate file. */
export const GATE_FILE_CHANGE_STEP: GateStep = Object.freeze({
  name: 'gate-file-change',
  kind: 'gate-file',
  blocking: true,
  timeoutMs: 30_000,
  needs: Object.freeze([]),
})

const label = (s: GateStep) =>
  `${s.name} (${s.kind === 'run' ? 'run' : s.kind}${s.blocking ? '' : ', non-blocking'})`

/** What the change's gate file would do to trunk's, once merged, one line each. */
export function gateFileDifferences(trunk: GateFile, change: GateFile): string[] {
  const lines: string[] = []
  const theirs = new Map(change.steps.map((s) => [s.name, s]))
  const ours = new Map(trunk.steps.map((s) => [s.name, s]))
  for (const step of trunk.steps) {
    const next = theirs.get(step.name)
    if (next === undefined) lines.push(`removes step ${label(step)}`)
    else if (step.blocking && !next.blocking) lines.push(`makes step ${step.name} non-blocking`)
    else if (JSON.stringify(step) !== JSON.stringify(next)) lines.push(`changes step ${step.name}`)
  }
  for (const step of change.steps) if (!ours.has(step.name)) lines.push(`adds step ${label(step)}`)
  if (trunk.trunk !== change.trunk) lines.push(`names trunk "${change.trunk}" instead of "${trunk.trunk}"`)
  if (trunk.sandbox !== change.sandbox) lines.push(`sets sandbox: ${change.sandbox}`)
  return lines
}

/**
 * `gate-file-change`: the change edits the gate file. Its steps do not judge it (trunk's do); this step checks
 * that the new file is valid, so merging it cannot leave trunk without a working gate, and lists what it would
 * change for the reviewer. Red when the file is deleted or invalid.
 */
export async function gateFileChangeStep(ctx: StepContext, trunkGate: GateFile): Promise<StepOutcome> {
  let text: string
  try {
    text = await git(ctx.repo, ['show', `${ctx.commit}:${GATE_FILE_NAME}`])
  } catch (err) {
    if (!(err instanceof GitFailedError)) throw err
    return {
      status: 'failed',
      outputTail: '',
      reason: `the change deletes ${GATE_FILE_NAME}: trunk would be left without a gate`,
    }
  }
  let change: GateFile
  try {
    change = parseGateFile(text, `${GATE_FILE_NAME} (commit ${ctx.commit.slice(0, 12)})`)
  } catch (err) {
    return {
      status: 'failed',
      outputTail: (err as Error).message,
      reason: `the change's ${GATE_FILE_NAME} is invalid`,
    }
  }
  const differences = gateFileDifferences(trunkGate, change)
  return {
    status: 'passed',
    outputTail: [
      `This change edits ${GATE_FILE_NAME}. Trunk's gate file judged it; once merged, the new file would:`,
      ...(differences.length > 0 ? differences.map((d) => `  ${d}`) : ['  change nothing but its text']),
    ].join('\n'),
  }
}
