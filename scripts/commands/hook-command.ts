import { checkMergeInProgress } from '../../gate/merge/check-merge-in-progress.ts'
import { installTrunkMergeHooks } from '../../gate/merge/trunk-merge-hook.ts'
import type { Command } from '../command.ts'
import { hookCheckMergeDefinition, hookInstallDefinition } from '../definitions/hook-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

const SUBCOMMANDS = [hookInstallDefinition, hookCheckMergeDefinition]

async function install(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, hookInstallDefinition)
  const installed = await installTrunkMergeHooks(values.repo)
  process.stdout.write(
    `installed ${installed.files.join(', ')}: a merge into ${installed.trunk} needs a green gate record on the branch head\n`,
  )
  return 0
}

/** What the hooks run while git is about to commit a merge: 0 lets it through, 1 refuses it. */
async function checkMerge(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, hookCheckMergeDefinition)
  const check = await checkMergeInProgress(values.repo)
  if (check.allowed) return 0
  for (const head of check.heads) {
    if (head.verdict.kind === 'green') continue
    const short = head.commit.slice(0, 12)
    const label = head.name === undefined ? short : `${head.name} (${short})`
    process.stderr.write(
      `firedrill: refused: merging ${label} into ${check.branch}: ${head.verdict.why}.\n` +
        `  Run the gate on it (firedrill gate --ref ${head.name ?? short}) and, once green, merge again ` +
        '(or firedrill merge BRANCH). git merge --abort undoes this merge.\n',
    )
  }
  return 1
}

export const hookCommand: Command = {
  name: 'hook',
  async run(argv) {
    const { definition, rest } = findSubcommand('hook', SUBCOMMANDS, argv)
    return definition === hookInstallDefinition ? install(rest) : checkMerge(rest)
  },
}
