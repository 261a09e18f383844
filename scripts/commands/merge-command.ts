import { mergeWhenGreen } from '../../gate/merge/merge-when-green.ts'
import type { Command } from '../command.ts'
import { mergeDefinition } from '../definitions/merge-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

export const mergeCommand: Command = {
  name: 'merge',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, mergeDefinition)
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
