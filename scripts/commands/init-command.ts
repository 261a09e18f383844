import { relative } from 'node:path'
import { createCapstone } from '../../capstone/init/create-capstone.ts'
import type { Command } from '../command.ts'
import { initDefinition } from '../definitions/init-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

export const initCommand: Command = {
  name: 'init',
  async run(argv) {
    const { positionals } = parseCommandArgs(argv, initDefinition)
    const capstone = await createCapstone(positionals[0]!)
    const shown = relative(process.cwd(), capstone.dir) || '.'
    process.stdout.write(
      [
        `capstone  ${capstone.dir}`,
        `trunk     ${capstone.trunk} at ${capstone.commit.slice(0, 12)} (${capstone.files.length} files)`,
        `hook      a merge into ${capstone.trunk} needs a green gate record on the branch head`,
        '',
        'Next:',
        `  cd ${shown}`,
        '  npx firedrill grade      # what is missing, each with the command that produces it',
        '  npx firedrill run        # the first drill; README.md maps every criterion to its commands',
        '',
      ].join('\n'),
    )
    return 0
  },
}
