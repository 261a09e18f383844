import type { GateEvent } from '../../gate/runner/run-gate.ts'
import type { ItemVerdict } from '../../gate/verify/item-verdict.ts'
import { type LoopCheck, type VerifyResult, verifyPostmortem } from '../../gate/verify/verify-postmortem.ts'
import { lintPostmortemFile, postmortemJsonPath } from '../../postmortems/lint/lint-postmortem-file.ts'
import type { Command } from '../command.ts'
import { verifyDefinition } from '../definitions/verify-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { describeJudgedRepository, judgedRepository } from '../run-repository.ts'

function progress(event: GateEvent): void {
  if (event.type === 'step-started') process.stderr.write(`verify: replay: ${event.step.name} started\n`)
  else process.stderr.write(`verify: replay: ${event.result.name} ${event.result.status}\n`)
}

function itemLines(items: readonly ItemVerdict[]): string[] {
  const width = (pick: (i: ItemVerdict) => string, title: string) =>
    Math.max(title.length, ...items.map((i) => pick(i).length))
  const idW = width((i) => i.id, 'item')
  const dueW = width((i) => i.dueDate, 'due')
  const statusW = width((i) => i.status, 'status')
  const row = (id: string, due: string, status: string, holds: string, why: string) =>
    `${id.padEnd(idW)}  ${due.padEnd(dueW)}  ${status.padEnd(statusW)}  ${holds.padEnd(5)}  ${why}`.trimEnd()
  const lines = [row('item', 'due', 'status', 'holds', 'why')]
  for (const item of items) {
    const why =
      item.reasons.length > 0
        ? item.reasons.map((r) => r.text)
        : item.accepted === undefined
          ? ['not due yet']
          : [
              `closed by ${item.accepted.closingCommit.slice(0, 12)}, gate green on ${item.accepted.recordCommit.slice(0, 12)} (${item.accepted.via})`,
            ]
    lines.push(row(item.id, item.dueDate, item.status, item.holds ? 'yes' : 'NO', why[0] ?? ''))
    for (const more of why.slice(1)) lines.push(row('', '', '', '', more))
  }
  return lines
}

function loopLine(loop: LoopCheck | null): string {
  if (loop === null) return 'loop check: not run (--no-replay)'
  if (loop.holds)
    return `loop check: holds: the replay of ${loop.badCommit?.slice(0, 12)} (${loop.replayCommit?.slice(0, 12)}) is red, stopped by ${loop.blockedBy.join(', ')}`
  return `loop check: DOES NOT HOLD: ${loop.reason ?? 'unknown'}`
}

/** The verdict for people: one row per action item with its reasons, then the loop check, then the total. */
export function describeVerifyResult(result: VerifyResult): string[] {
  const failing = result.items.filter((i) => !i.holds).length
  return [
    ...itemLines(result.items),
    '',
    loopLine(result.loop),
    '',
    result.holds
      ? `verify: everything holds on ${result.trunk}`
      : `verify: falls short on ${result.trunk} (${failing} of ${result.items.length} action items${result.loop?.holds === false ? ', loop check' : ''})`,
  ]
}

/** `--lint-only`: the postmortem's own lint, without the repository (0 clean, 1 problems, 2 unreadable). */
async function lintOnly(path: string, json: boolean): Promise<number> {
  const result = await lintPostmortemFile(path)
  const lines = json
    ? [JSON.stringify(result, null, 2)]
    : result.ok
      ? [`lint: ${result.file}: no problems`]
      : [
          `lint: ${result.file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`,
          ...result.problems.map((p) => `  ${p.path}: ${p.message}`),
        ]
  process.stdout.write(`${lines.join('\n')}\n`)
  return result.ok ? 0 : 1
}

export const verifyCommand: Command = {
  name: 'verify',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, verifyDefinition)
    if (values['lint-only']) return lintOnly(positionals[0]!, values.json ?? false)
    // postmortem.md is for people; the verdict reads postmortem.json beside it.
    const postmortemFile = postmortemJsonPath(positionals[0]!)
    const repo = await judgedRepository(postmortemFile, values.repo)
    process.stderr.write(`verify: ${describeJudgedRepository(repo)}\n`)
    const result = await verifyPostmortem({
      postmortemFile,
      repo: repo.dir,
      replay: !(values['no-replay'] ?? false),
      onReplayEvent: progress,
      ...(values.trunk === undefined ? {} : { trunk: values.trunk }),
    })
    const out = values.json
      ? JSON.stringify(
          { postmortem: postmortemFile, repository: repo.dir, repositorySource: repo.source, ...result },
          null,
          2,
        )
      : [describeJudgedRepository(repo), '', ...describeVerifyResult(result)].join('\n')
    process.stdout.write(`${out}\n`)
    return result.holds ? 0 : 1
  },
}
