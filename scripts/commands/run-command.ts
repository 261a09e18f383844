import { join, resolve } from 'node:path'
import { systemClock } from '../../record/clock/clock.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { readJournal } from '../../record/journal/read-journal.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import {
  closeConnection,
  createRedisConnection,
  waitForReady,
} from '../../services/platform/redis/redis-connection.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { closeOrphanedRuns } from '../../simulator/drill/orphaned-runs.ts'
import { reportRun } from '../../simulator/drill/report-run.ts'
import { runDrill } from '../../simulator/drill/run-drill.ts'
import { sweepCrashedRunKeys } from '../../simulator/drill/run-keys.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { runDefinition } from '../definitions/run-definition.ts'
import { describeSummary } from '../describe-summary.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'

export const runCommand: Command = {
  name: 'run',
  async run(argv) {
    const { values } = parseCommandArgs(argv, runDefinition)
    const responder = values.responder
    if (responder !== undefined && responder !== 'bot' && responder !== 'human') {
      throw new UsageError(
        `--responder must be bot or human (got "${responder}").\n${usageText(runDefinition)}`,
      )
    }
    const seed = values.seed === undefined ? undefined : intOption(values.seed, 'seed', 0, 0, 4_294_967_295)
    // --again: the same workload (scenario and seed) as a previous run, on that run's fixed trunk.
    const previous = values.again === undefined ? undefined : await previousRun(values.again)
    const loaded = previous?.loaded ?? (await loadScenario(values.scenario))
    const redis = await provisionRedis({ url: values.redis })
    const interrupt = new AbortController()
    const onSignal = () => interrupt.abort()
    // Ctrl-C, SIGTERM and a closed terminal (SIGHUP) each abort the drill with its cleanup.
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    process.once('SIGHUP', onSignal)
    // A closed terminal must not turn progress lines into a crash.
    process.stderr.on('error', () => {})
    try {
      await tidyAfterCrashedRuns(redis.url, (line) => process.stderr.write(`firedrill: ${line}\n`))
      process.stderr.write(`firedrill: drill "${loaded.name}": ${loaded.scenario.title}\n`)
      const outcome = await runDrill({
        loaded,
        redisUrl: redis.url,
        ...(seed === undefined ? (previous === undefined ? {} : { seed: previous.seed }) : { seed }),
        ...(previous === undefined ? {} : { again: previous.dir }),
        ...(responder === undefined ? {} : { responder }),
        ...(values.out === undefined ? {} : { outDir: values.out }),
        signal: interrupt.signal,
        progress: (line) => process.stderr.write(`${line}\n`),
      })
      const { summary } = await reportRun(outcome.outDir)
      process.stdout.write(
        values.json ? `${JSON.stringify(summary)}\n` : `${describeSummary(summary).join('\n')}\n`,
      )
      // A scenario with a cleanup patch has not finished its follow-up until its release flag is closed out.
      const closedOut = summary.flagClosedOut || loaded.scenario.followUp.cleanup === undefined
      return (summary.status === 'recovered' && summary.loopClosed && closedOut) ||
        summary.status === 'prevented'
        ? 0
        : 1
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.off('SIGHUP', onSignal)
      await redis.stop()
    }
  },
}

async function previousRun(dir: string) {
  const runDir = resolve(dir)
  const { events } = await readJournal(join(runDir, 'journal.jsonl'))
  const started = eventsOf(events, 'drill.started')[0]
  if (started === undefined || eventsOf(events, 'fix.merged').length === 0) {
    throw new UsageError(
      `--again needs a run whose loop closed (its fix merged to trunk); "${runDir}" has ${started === undefined ? 'no drill.started event' : 'no merged fix'}.`,
    )
  }
  const loaded = await loadScenario(join(runDir, 'scenario'))
  return { dir: runDir, seed: started.data.seed, loaded: { ...loaded, name: started.data.scenario } }
}

/**
 * Before a drill: journals of runs whose process died are closed (`drill.aborted`, crashed), and the Redis keys
 * of runs whose lease lapsed are removed. Best effort: a failure here never stops the new drill.
 */
async function tidyAfterCrashedRuns(redisUrl: string, say: (line: string) => void): Promise<void> {
  for (const orphan of await closeOrphanedRuns(join(process.cwd(), '.firedrill', 'runs'), systemClock))
    say(`run ${orphan.runId} ${orphan.reason}; its journal now says so`)
  const redis = createRedisConnection(redisUrl, 'command')
  try {
    await waitForReady(redis, 2000)
    for (const swept of await sweepCrashedRunKeys(redis))
      say(`removed ${swept.keys} Redis keys left by crashed run ${swept.runId}`)
  } catch {
    // Redis trouble shows up in the drill's own preflight
  } finally {
    await closeConnection(redis)
  }
}
