import { mergeWhenGreen } from '../../gate/merge/merge-when-green.ts'
import type { Command } from '../command.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = 'merge BRANCH [--repo DIR] [--trunk BRANCH]'

export const mergeCommand: Command = {
  name: 'merge',
  usage,
  summary: "merge into trunk only when the branch head's tree is green in the gate's ledger",
  async run(argv) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { repo: { type: 'string', default: '.' }, trunk: { type: 'string' } },
      usage,
      { min: 1, max: 1 },
    )
    const branch = positionals[0]!
    const outcome = await mergeWhenGreen({
      repo: values.repo,
      branch,
      ...(values.trunk === undefined ? {} : { trunk: values.trunk }),
    })
    process.stdout.write(
      `merged ${branch} (${outcome.branchHead.slice(0, 12)}) into ${outcome.trunk}: ${outcome.mergeCommit}\n` +
        `gate record: green on ${outcome.recordCommit.slice(0, 12)}, ${outcome.record.startedAt}\n`,
    )
    return 0
  },
}
