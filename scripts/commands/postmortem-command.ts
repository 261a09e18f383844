import { relative } from 'node:path'
import { lintPostmortemFile } from '../../postmortems/lint/lint-postmortem-file.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = 'postmortem lint FILE [--json]'

export const postmortemCommand: Command = {
  name: 'postmortem',
  usage,
  summary: 'lint a postmortem (.json, or the .json beside a .md): 0 clean, 1 problems, 2 unreadable',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, usage, {
      min: 2,
      max: 2,
    })
    const [action, path] = positionals as [string, string]
    if (action !== 'lint') throw new UsageError(`Unknown action "${action}".\nUsage: ${usage}`, usage)
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
