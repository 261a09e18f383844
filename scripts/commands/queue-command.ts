import { userInfo } from 'node:os'
import { FulfilmentQueueHttpClient } from '../../simulator/drill/fulfilment-queue-api.ts'
import type { FulfilmentQueueView } from '../../simulator/drill/fulfilment-queue-control.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import {
  queuePauseDefinition,
  queueResumeDefinition,
  queueStatusDefinition,
} from '../definitions/queue-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'
import { deploysEndpoint } from './deploys-endpoint.ts'

/** The client for the drill's control API the URL option or the environment names, with its token. */
function client(urlOption: string | undefined, usage: string): FulfilmentQueueHttpClient {
  return new FulfilmentQueueHttpClient(deploysEndpoint(urlOption, usage))
}

function statusLine(view: FulfilmentQueueView): string {
  const jobs = `${view.waiting} waiting, ${view.active} active, ${view.delayed} delayed`
  if (!view.paused) return `${view.queue} queue running: ${jobs}`
  const who =
    view.pause === null ? '' : ` by ${view.pause.by} since ${view.pause.since} (${view.pause.reason})`
  return `${view.queue} queue PAUSED${who}: ${jobs}`
}

/** `firedrill queue status|pause|resume`: a running drill's fulfilment queue, as an on-call engineer reaches it. */
export const queueCommand: Command = {
  name: 'queue',
  async run(argv) {
    const { definition, rest } = findSubcommand(
      'queue',
      [queueStatusDefinition, queuePauseDefinition, queueResumeDefinition],
      argv,
    )
    const usage = usageText(definition)
    const print = (view: FulfilmentQueueView, json: boolean | undefined) =>
      process.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : `${statusLine(view)}\n`)
    if (definition === queueStatusDefinition) {
      const { values } = parseCommandArgs(rest, queueStatusDefinition)
      print(await client(values['deploys-url'], usage).status(), values.json)
      return 0
    }
    const move = definition === queuePauseDefinition ? 'pause' : 'resume'
    const { values } = parseCommandArgs(rest, move === 'pause' ? queuePauseDefinition : queueResumeDefinition)
    const reason = values.reason?.trim()
    if (reason === undefined || reason === '')
      throw new UsageError(`--reason must not be blank: say why the queue is ${move}d.\n${usage}`, usage)
    const actor = values.actor ?? (process.env.USER || userInfo().username)
    print(await client(values['deploys-url'], usage)[move](reason, actor), values.json)
    return 0
  },
}
