import { resolveTrunk } from '../../gate/config/resolve-trunk.ts'
import { readRecord } from '../../gate/ledger/gate-ledger.ts'
import type { GateRecord } from '../../gate/ledger/gate-record.ts'
import { loadGateSigner } from '../../gate/ledger/gate-signer.ts'
import { loadTrustedKeys, TRUSTED_KEYS_FILE, trustedKeyEntry } from '../../gate/ledger/trusted-keys.ts'
import { gateJunitXml } from '../../gate/report/gate-junit.ts'
import type { GateResult, StepResult } from '../../gate/runner/gate-result.ts'
import { resolveCommit } from '../../gate/runner/resolve-commit.ts'
import { type GateEvent, runGate } from '../../gate/runner/run-gate.ts'
import { SANDBOX_MODES, type SandboxMode } from '../../gate/step-sandbox/sandbox-state.ts'
import { isFiredrillError } from '../../services/platform/firedrill-error.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { gateDefinition } from '../definitions/gate-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = usageText(gateDefinition)

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
    `judged by ${result.policy.file} on ${result.policy.trunk} (${result.policy.trunkCommit.slice(0, 12)})`,
    `sandbox ${result.sandbox.kind === 'off' ? 'OFF' : 'on'}: ${result.sandbox.detail}`,
    '',
    `${'step'.padEnd(width)}  ${'status'.padEnd(9)}  ${'duration'.padStart(8)}  blocking`,
    ...result.steps.map(
      (s) =>
        `${s.name.padEnd(width)}  ${s.status.padEnd(9)}  ${sec(s.durationMs).padStart(8)}  ${s.blocking ? 'yes' : 'no'}${testsNote(s)}`,
    ),
  ]
  for (const s of result.steps.filter((x: StepResult) => x.status !== 'passed' || x.kind === 'gate-file')) {
    lines.push('', `--- ${s.name}: ${s.status}${s.reason === undefined ? '' : ` (${s.reason})`}`)
    if (s.outputTail !== '') lines.push(s.outputTail)
  }
  return lines
}

/** A test step's own count, as its runner reported it: "  40 tests, 1 failed". */
function testsNote(s: StepResult): string {
  if (s.tests === undefined) return ''
  const failed = s.tests.filter((t) => t.status === 'failed' || t.status === 'error').length
  const skipped = s.tests.filter((t) => t.status === 'skipped').length
  return `  ${s.tests.length} tests${failed > 0 ? `, ${failed} failed` : ''}${skipped > 0 ? `, ${skipped} skipped` : ''}`
}

function describeRecord(record: GateRecord): string[] {
  return [
    `commit     ${record.commit}`,
    `tree       ${record.tree}`,
    `ref        ${record.ref}`,
    `result     ${record.green ? 'GREEN' : 'RED'}`,
    `started    ${record.startedAt}  (${sec(record.durationMs)})`,
    `gate file  sha256 ${record.gateFile}, from ${record.trunk} ${record.trunkCommit.slice(0, 12)}`,
    `sandbox    ${record.sandbox === 'off' ? 'OFF' : 'on'}: ${record.sandboxDetail}`,
    `signed by  ${record.signer}`,
    ...record.steps.map(
      (s) =>
        `step       ${s.name.padEnd(20)} ${s.status.padEnd(9)} ${sec(s.durationMs).padStart(8)}${s.blocking ? '' : '  (non-blocking)'}`,
    ),
  ]
}

async function show(
  repo: string,
  ref: string,
  trunkOption: string | undefined,
  json: boolean,
): Promise<number> {
  const { top, commit } = await resolveCommit(repo, ref)
  const trunk = await resolveTrunk(top, trunkOption)
  const trust = await loadTrustedKeys(top, trunk)
  const read = await readRecord(top, commit, trust)
  if (json) {
    process.stdout.write(`${JSON.stringify({ commit, trustedBy: trust.source, ...read }, null, 2)}\n`)
  } else {
    const lines = read.record === undefined ? [`commit     ${commit}`] : describeRecord(read.record)
    lines.push(
      read.valid
        ? `signature: valid (a key ${TRUSTED_KEYS_FILE} on ${trust.source} trusts)`
        : read.present
          ? `signature: INVALID (${read.reason})`
          : `signature: none (${read.reason}; run firedrill gate --ref ${ref})`,
    )
    process.stdout.write(`${lines.join('\n')}\n`)
  }
  return read.valid ? 0 : 1
}

/** `--public-key`: this signer's public key, as the lines to add to firedrill-gate.pub on trunk. */
async function publicKey(): Promise<number> {
  const signer = await loadGateSigner(process.env)
  process.stderr.write(
    `gate: the signing key comes from ${signer.source === 'env' ? 'FIREDRILL_GATE_SIGNING_KEY' : signer.file}; add these lines to ${TRUSTED_KEYS_FILE} on trunk and commit them\n`,
  )
  process.stdout.write(trustedKeyEntry(signer))
  return 0
}

function sandboxMode(value: string | undefined): SandboxMode {
  if (value === undefined) return 'auto'
  if ((SANDBOX_MODES as readonly string[]).includes(value)) return value as SandboxMode
  throw new UsageError(
    `--sandbox must be one of ${SANDBOX_MODES.join(', ')} (got "${value}").\nUsage: ${usage}`,
    usage,
  )
}

export const gateCommand: Command = {
  name: 'gate',
  async run(argv) {
    const { values } = parseCommandArgs(argv, gateDefinition)
    const json = values.json ?? false
    const sandbox = sandboxMode(values.sandbox)
    try {
      if (values['public-key']) return await publicKey()
      if (values.show !== undefined) return await show(values.repo, values.show, values.trunk, json)
      const { result } = await runGate({
        repo: values.repo,
        ref: values.ref ?? 'HEAD',
        sandbox,
        onEvent: progress,
        ...(values.trunk === undefined ? {} : { trunk: values.trunk }),
      })
      if (result.sandbox.kind === 'off') process.stderr.write(`gate: SANDBOX OFF: ${result.sandbox.detail}\n`)
      if (values.junit !== undefined) await writeFileAtomically(values.junit, gateJunitXml(result))
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
