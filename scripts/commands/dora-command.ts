import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { type TrunkHistory, trunkProblem } from '../../record/dora/changes-from-git.ts'
import { describeComparison, describeDoraMetrics } from '../../record/dora/describe-dora-metrics.ts'
import { DoraDateInvalidError, DoraRepoInvalidError } from '../../record/dora/dora-errors.ts'
import { type DoraEvents, eventsFromJournals } from '../../record/dora/dora-events.ts'
import { doraMetrics } from '../../record/dora/dora-metrics.ts'
import { toFourkeysCsv, toFourkeysTables } from '../../record/dora/fourkeys-tables.ts'
import { loadRuns } from '../../record/dora/load-run-journals.ts'
import { readEventsFiles } from '../../record/dora/read-events-file.ts'
import { readRunDora, runDoraAfter, runTrunkHistory } from '../../record/dora/run-dora.ts'
import { withTrunkHistory } from '../../record/dora/with-trunk-history.ts'
import { parseDuration } from '../../record/scenario/duration.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { doraDefinition } from '../definitions/dora-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

const usage = usageText(doraDefinition)

/** Where `firedrill run` writes its runs. */
export const DEFAULT_RUNS_DIR = join('.firedrill', 'runs')

function dateOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new DoraDateInvalidError(flag, value)
  return ms
}

/** A run named by path, or by its id under the runs directory. */
async function runDir(run: string, runsDir: string): Promise<string> {
  const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true
  return (await isDir(run)) ? run : join(runsDir, run)
}

/** `--repo DIR` with its `--trunk`, checked: not a repository, or no such branch, is bad input (exit 2). */
async function repoOption(repoDir: string, trunk: string): Promise<TrunkHistory> {
  const problem = await trunkProblem(repoDir, trunk)
  if (problem === 'not-a-repository')
    throw new DoraRepoInvalidError('repo', repoDir, 'it is not the top directory of a git repository')
  if (problem === 'no-trunk')
    throw new DoraRepoInvalidError('repo', repoDir, `it has no branch "${trunk}" (--trunk)`)
  return { repoDir, trunk }
}

export const doraCommand: Command = {
  name: 'dora',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, doraDefinition)
    if (values.compare === undefined && positionals.length > 0)
      throw new UsageError(`Unexpected argument "${positionals[0]}".\n${usage}`, usage)
    if (values.json && values.csv) throw new UsageError(`Pass --json or --csv, not both.\n${usage}`, usage)
    const incidentWindowMs = values.window === undefined ? undefined : parseDuration(values.window)
    const since = dateOption(values.since, 'since')
    const until = dateOption(values.until, 'until')
    const runsDir = values.runs ?? DEFAULT_RUNS_DIR

    if (values.compare !== undefined) {
      if (
        positionals.length !== 1 ||
        values.csv ||
        values.events !== undefined ||
        values.repo !== undefined ||
        values.trunk !== undefined
      )
        throw new UsageError(`--compare takes two runs: --compare RUN_A RUN_B.\n${usage}`, usage)
      const names: [string, string] = [values.compare, positionals[0]!]
      const first = await readRunDora(await runDir(names[0], runsDir), { incidentWindowMs })
      const [second] = await loadRuns(await runDir(names[1], runsDir))
      const a = first.metrics
      const b = (await runDoraAfter(second!, first, { incidentWindowMs })).metrics
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ a: { run: names[0], metrics: a }, b: { run: names[1], metrics: b } }, null, 2)}\n`
          : `${describeComparison(a!, b!, names).join('\n')}\n`,
      )
      return 0
    }

    if (values.trunk !== undefined && values.repo === undefined)
      throw new UsageError(`--trunk names the branch of --repo; pass --repo DIR too.\n${usage}`, usage)
    const repos: TrunkHistory[] = []
    if (values.repo !== undefined) repos.push(await repoOption(values.repo, values.trunk ?? 'main'))
    let events: DoraEvents
    if (values.events !== undefined) events = await readEventsFiles(values.events)
    else {
      const runs = await loadRuns(runsDir)
      events = eventsFromJournals(
        runs.map((r) => r.events),
        { incidentWindowMs },
      )
      for (const run of runs) {
        const sandbox = await runTrunkHistory(run.dir)
        if (sandbox !== null) repos.push(sandbox)
      }
    }
    if (repos.length > 0) events = await withTrunkHistory(events, repos)
    const metrics = doraMetrics(events, { since, until, now: Date.now(), incidentWindowMs })
    if (values.csv) process.stdout.write(toFourkeysCsv(events))
    else if (values.json)
      process.stdout.write(`${JSON.stringify({ metrics, tables: toFourkeysTables(events) }, null, 2)}\n`)
    else process.stdout.write(`${describeDoraMetrics(metrics).join('\n')}\n`)
    return 0
  },
}
