import { userInfo } from 'node:os'
import { DeploysHttpClient, type DeploysView } from '../../simulator/drill/deploys-api.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { deploysListDefinition, deploysRollbackDefinition } from '../definitions/deploys-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'
import { deploysEndpoint } from './deploys-endpoint.ts'

/** The client for the drill's control API the URL option or the environment names, with its token. */
function client(urlOption: string | undefined, usage: string): DeploysHttpClient {
  return new DeploysHttpClient(deploysEndpoint(urlOption, usage))
}

const short = (hash: string | null) => (hash === null ? '-' : hash.slice(0, 12))

function listLines(view: DeploysView): string[] {
  return [
    'production:',
    ...view.production.map(
      (s) =>
        `  slot ${s.slot}  commit ${short(s.commit)}  artifact ${short(s.contentHash)}${s.live ? '' : '  (no traffic)'}`,
    ),
    'deploys, newest first:',
    ...view.history.map(
      (d) =>
        `  ${d.at}  commit ${short(d.commit)}  artifact ${short(d.artifact)}  ${d.dark ? 'dark (behind a flag)' : 'live'}  before it: ${short(d.previous)}${d.rollbackOf === undefined ? '' : `  (a rollback of ${short(d.rollbackOf.artifact)} by ${d.rollbackOf.by})`}`,
    ),
  ]
}

/** `firedrill deploys list|rollback`: a running drill's production deploys, as an on-call engineer reaches them. */
export const deploysCommand: Command = {
  name: 'deploys',
  async run(argv) {
    const { definition, rest } = findSubcommand(
      'deploys',
      [deploysListDefinition, deploysRollbackDefinition],
      argv,
    )
    const usage = usageText(definition)
    if (definition === deploysListDefinition) {
      const { values } = parseCommandArgs(rest, deploysListDefinition)
      const view = await client(values['deploys-url'], usage).list()
      process.stdout.write(
        values.json ? `${JSON.stringify(view, null, 2)}\n` : `${listLines(view).join('\n')}\n`,
      )
      return 0
    }
    const { values } = parseCommandArgs(rest, deploysRollbackDefinition)
    const reason = values.reason?.trim()
    if (reason === undefined || reason === '')
      throw new UsageError(`--reason must not be blank: say why production goes back.\n${usage}`, usage)
    const actor = values.actor ?? (process.env.USER || userInfo().username)
    const answer = await client(values['deploys-url'], usage).rollback(reason, actor)
    process.stdout.write(
      values.json
        ? `${JSON.stringify(answer)}\n`
        : `production rolled back from ${short(answer.from)} to ${short(answer.to)} (by ${actor})\n`,
    )
    return 0
  },
}
