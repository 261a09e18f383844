import { relative } from 'node:path'
import { lintPostmortemFile } from '../../postmortems/lint/lint-postmortem-file.ts'
import type { Command } from '../command.ts'
import { postmortemLintDefinition } from '../definitions/postmortem-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

export const postmortemCommand: Command = {
  name: 'postmortem',
  async run(argv) {
    const { rest } = findSubcommand('postmortem', [postmortemLintDefinition], argv)
    const { values, positionals } = parseCommandArgs(rest, postmortemLintDefinition)
    const path = positionals[0]!
    const result = await lintPostmortemFile(path)
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    } else {
      const name = relative(process.cwd(), result.file) || result.file
      const lines = result.ok
        ? [`${name}: no problems`]
        : [
            `${name}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`,
            ...result.problems.map((p) => `  ${p.path}: ${p.message}`),
          ]
      process.stdout.write(`${lines.join('\n')}\n`)
    }
    return result.ok ? 0 : 1
  },
}
