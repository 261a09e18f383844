import { readRecord } from '../../gate/ledger/gate-ledger.ts'
import type { GateRecord } from '../../gate/ledger/gate-record.ts'
import { gateJunitXml } from '../../gate/report/gate-junit.ts'
import { writeFileAtomic } from '../../gate/report/write-file-atomic.ts'
import type { GateResult, StepResult } from '../../gate/runner/gate-result.ts'
import { resolveCommit } from '../../gate/runner/resolve-commit.ts'
import { type GateEvent, runGate } from '../../gate/runner/run-gate.ts'
import { isFiredrillError } from '../../services/platform/firedrill-error.ts'
import type { Command } from '../command.ts'
import { gateDefinition } from '../definitions/gate-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function progress(event: GateEvent): void {
  if (event.type === 'step-started') process.stderr.write(`gate: ${event.step.name} started\n`)
  else {
    const r = event.result
    const note = r.status === 'passed' ? '' : ` (${r.reason ?? r.status})`
    process.stderr.write(`gate: ${r.name} ${r.status} in ${sec(r.durationMs)}${note}\n`)
  }
}

/** The run as a table for people: one line per step, then the output tail of each step that did not pass. */
export function describeGateResult(result: GateResult): string[] {
  const verdict = result.green ? 'GREEN' : 'RED'
  const width = Math.max(4, ...result.steps.map((s) => s.name.length))
  const lines = [
    `gate ${verdict}  commit ${result.commit.slice(0, 12)}  tree ${result.tree.slice(0, 12)}  ${sec(result.durationMs)}`,
    '',
    `${'step'.padEnd(width)}  ${'status'.padEnd(9)}  ${'duration'.padStart(8)}  blocking`,
    ...result.steps.map(
      (s) =>
        `${s.name.padEnd(width)}  ${s.status.padEnd(9)}  ${sec(s.durationMs).padStart(8)}  ${s.blocking ? 'yes' : 'no'}`,
    ),
  ]
  for (const s of result.steps.filter((x: StepResult) => x.status !== 'passed')) {
    lines.push('', `--- ${s.name}: ${s.status}${s.reason === undefined ? '' : ` (${s.reason})`}`)
    if (s.outputTail !== '') lines.push(s.outputTail)
  }
  return lines
}

function describeRecord(record: GateRecord): string[] {
  return [
    `commit     ${record.commit}`,
    `tree       ${record.tree}`,
    `ref        ${record.ref}`,
    `result     ${record.green ? 'GREEN' : 'RED'}`,
    `started    ${record.startedAt}  (${sec(record.durationMs)})`,
    `gate file  sha256 ${record.gateFile}`,
    ...record.steps.map(
      (s) =>
        `step       ${s.name.padEnd(20)} ${s.status.padEnd(9)} ${sec(s.durationMs).padStart(8)}${s.blocking ? '' : '  (non-blocking)'}`,
    ),
  ]
}

async function show(repo: string, ref: string, json: boolean): Promise<number> {
  const { top, commit } = await resolveCommit(repo, ref)
  const read = await readRecord(top, commit)
  if (json) {
    process.stdout.write(`${JSON.stringify({ commit, ...read }, null, 2)}\n`)
  } else {
    const lines = read.record === undefined ? [`commit     ${commit}`] : describeRecord(read.record)
    lines.push(
      read.valid
        ? 'signature: valid'
        : read.present
          ? `signature: INVALID (${read.reason})`
          : `signature: none (${read.reason}; run firedrill gate --ref ${ref})`,
    )
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  return read.valid ? 0 : 1
}

export const gateCommand: Command = {
  name: 'gate',
  async run(argv) {
    const { values } = parseCommandArgs(argv, gateDefinition)
    const json = values.json ?? false
    try {
      if (values.show !== undefined) return await show(values.repo, values.show, json)
      const { result } = await runGate({ repo: values.repo, ref: values.ref ?? 'HEAD', onEvent: progress })
      if (values.junit !== undefined) await writeFileAtomic(values.junit, gateJunitXml(result))
      process.stdout.write(
        json ? `${JSON.stringify(result, null, 2)}\n` : `${describeGateResult(result).join('\n')}\n`,
      )
      return result.green ? 0 : 1
    } catch (err) {
      // The gate's contract: 0 green, 1 red, 2 anything that kept it from giving an answer.
      if (!isFiredrillError(err)) throw err
      process.stderr.write(`firedrill: ${err.message}\n`)
      return values.show !== undefined ? err.exitCode : 2
    }
  },
}
