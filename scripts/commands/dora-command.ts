import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describeComparison, describeDoraMetrics } from '../../simulator/dora/describe-dora-metrics.ts'
import { DoraDateInvalidError } from '../../simulator/dora/dora-errors.ts'
import { type DoraEvents, eventsFromJournals } from '../../simulator/dora/dora-events.ts'
import { doraMetrics } from '../../simulator/dora/dora-metrics.ts'
import { toFourkeysCsv, toFourkeysTables } from '../../simulator/dora/fourkeys-tables.ts'
import { loadRunJournals } from '../../simulator/dora/load-run-journals.ts'
import { readEventsFile } from '../../simulator/dora/read-events-file.ts'
import type { JournalEvent } from '../../simulator/journal/journal-event.ts'
import { parseDuration } from '../../simulator/scenario/duration.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage =
  'dora [--runs DIR] [--events FILE] [--since DATE] [--until DATE] [--window DURATION] [--json|--csv] | dora --compare RUN_A RUN_B [--runs DIR] [--json]'

/** Where `firedrill run` writes its runs. */
export const DEFAULT_RUNS_DIR = join('.firedrill', 'runs')

const options = {
  runs: { type: 'string' },
  events: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  window: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  compare: { type: 'string' },
} as const

function dateOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new DoraDateInvalidError(flag, value)
  return ms
}

/** A run named by path, or by its id under the runs directory. */
async function runJournal(run: string, runsDir: string): Promise<JournalEvent[]> {
  const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true
  const dir = (await isDir(run)) ? run : join(runsDir, run)
  const [journal] = await loadRunJournals(dir)
  return journal!
}

const lastEventTime = (journal: readonly JournalEvent[]) =>
  journal.length === 0 ? Date.now() : Date.parse(journal.at(-1)!.at)

export const doraCommand: Command = {
  name: 'dora',
  usage,
  summary: "the five DORA metrics from the runs' journals or a fourkeys events file; --compare two runs",
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, options, usage, {
      max: argv.includes('--compare') ? 1 : 0,
    })
    if (values.json && values.csv)
      throw new UsageError(`Pass --json or --csv, not both.\nUsage: ${usage}`, usage)
    const incidentWindowMs = values.window === undefined ? undefined : parseDuration(values.window)
    const since = dateOption(values.since, 'since')
    const until = dateOption(values.until, 'until')
    const runsDir = values.runs ?? DEFAULT_RUNS_DIR

    if (values.compare !== undefined) {
      if (positionals.length !== 1 || values.csv || values.events !== undefined)
        throw new UsageError(`--compare takes two runs: --compare RUN_A RUN_B.\nUsage: ${usage}`, usage)
      const names: [string, string] = [values.compare, positionals[0]!]
      const [a, b] = await Promise.all(
        names.map(async (name) => {
          const journal = await runJournal(name, runsDir)
          const events = eventsFromJournals([journal], { incidentWindowMs })
          return doraMetrics(events, { now: lastEventTime(journal), incidentWindowMs })
        }),
      )
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ a: { run: names[0], metrics: a }, b: { run: names[1], metrics: b } }, null, 2)}\n`
          : `${describeComparison(a!, b!, names).join('\n')}\n`,
      )
      return 0
    }

    const events: DoraEvents =
      values.events !== undefined
        ? await readEventsFile(values.events)
        : eventsFromJournals(await loadRunJournals(runsDir), { incidentWindowMs })
    const metrics = doraMetrics(events, { since, until, now: Date.now(), incidentWindowMs })
    if (values.csv) process.stdout.write(toFourkeysCsv(events))
    else if (values.json)
      process.stdout.write(`${JSON.stringify({ metrics, tables: toFourkeysTables(events) }, null, 2)}\n`)
    else process.stdout.write(`${describeDoraMetrics(metrics).join('\n')}\n`)
    return 0
  },
}
