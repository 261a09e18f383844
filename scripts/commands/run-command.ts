import { appendFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ScenarioWrongServiceError } from '../../record/errors.ts'
import { eventsOf } from '../../record/journal/journal-event.ts'
import { readJournal } from '../../record/journal/read-journal.ts'
import type { JunitSuite } from '../../record/junit/junit-xml.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { shopServiceOf } from '../../record/scenario/shop-service.ts'
import { loadTarget } from '../../record/target/load-target.ts'
import { requireScenarioDependency } from '../../record/target/target-errors.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import { drillJunitXml } from '../../simulator/drill/drill-checks.ts'
import type { DrillSummary } from '../../simulator/drill/drill-summary.ts'
import { reportRun } from '../../simulator/drill/report-run.ts'
import { runDrill } from '../../simulator/drill/run-drill.ts'
import { runTargetDrill } from '../../simulator/drill/run-target-drill.ts'
import { requireTargetRepo } from '../../simulator/drill/target-repo-checks.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { runDefinition } from '../definitions/run-definition.ts'
import { checksMarkdown, describeChecks } from '../describe-checks.ts'
import { describeSummary } from '../describe-summary.ts'
import { withDrillSession, withInterrupts } from '../drill-session.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'
import { writableOutput } from '../writable-output.ts'

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
    // In CI nobody is there to answer a page: the bot responds, whatever the scenario says.
    if (values.ci && responder === 'human')
      throw new UsageError(
        `--ci runs unattended, so nobody would answer the page: drop --responder human (the bot responds).\n${usageText(runDefinition)}`,
      )
    const junit = values.junit === undefined ? undefined : await writableOutput(values.junit, '--junit')
    const seed = values.seed === undefined ? undefined : intOption(values.seed, 'seed', 0, 0, 4_294_967_295)
    if (values.target !== undefined) {
      if (values['skip-follow-up'])
        throw new UsageError(
          `--skip-follow-up is for the shop's drills: a target's loop runs only where its target names a repo and fix.\n${usageText(runDefinition)}`,
        )
      if (values.again !== undefined)
        throw new UsageError(
          `--target drills a team's own service, which firedrill does not repeat on a fixed trunk: drop --again.\n${usageText(runDefinition)}`,
        )
      const target = await loadTarget(values.target)
      // The repository the loop runs on is checked before anything else: a refusal changes nothing (exit 2).
      await requireTargetRepo(target)
      // The catalog's default scenario is the shop's; a target's default is target-canary.
      const named = argv.some((arg) => arg === '--scenario' || arg.startsWith('--scenario='))
      const loaded = await loadScenario(named ? values.scenario : 'target-canary')
      if (loaded.scenario.service.kind !== 'target')
        throw new ScenarioWrongServiceError(loaded.name, 'builtin-shop')
      requireScenarioDependency(
        values.target,
        loaded.name,
        loaded.scenario.change.fault,
        target.target.dependencies,
      )
      return withInterrupts(async (signal) => {
        process.stderr.write(
          `firedrill: drill "${loaded.name}" on target "${target.target.name}": ${loaded.scenario.title}\n`,
        )
        const outcome = await runTargetDrill({
          target,
          loaded,
          ...(seed === undefined ? {} : { seed }),
          ...(values.out === undefined ? {} : { outDir: values.out }),
          signal,
          progress: (line) => process.stderr.write(`${line}\n`),
          ...(values.ci ? { responder: 'bot' as const } : responder === undefined ? {} : { responder }),
          loop: { merge: values.merge },
        })
        // With a repository, the loop on it must close too; without one, the team's follow-up is its own.
        return report(outcome.outDir, { json: values.json, ci: values.ci, junit }, (summary) =>
          target.repo === undefined ? true : summary.loopClosed,
        )
      })
    }
    if (values.merge)
      throw new UsageError(
        `--merge writes the fix to a target's own repository: it goes with --target FILE whose target names repo.\n${usageText(runDefinition)}`,
      )
    // --again: the same workload (scenario and seed) as a previous run, on that run's fixed trunk.
    const previous = values.again === undefined ? undefined : await previousRun(values.again)
    const loaded = previous?.loaded ?? (await loadScenario(values.scenario))
    shopServiceOf(loaded.name, loaded.scenario)
    return withDrillSession(values.redis, async ({ redisUrl, signal }) => {
      process.stderr.write(`firedrill: drill "${loaded.name}": ${loaded.scenario.title}\n`)
      const outcome = await runDrill({
        loaded,
        redisUrl,
        ...(seed === undefined ? (previous === undefined ? {} : { seed: previous.seed }) : { seed }),
        ...(previous === undefined ? {} : { again: previous.dir }),
        ...(values.ci ? { responder: 'bot' as const } : responder === undefined ? {} : { responder }),
        ...(values.out === undefined ? {} : { outDir: values.out }),
        ...(values['skip-follow-up'] ? { followUp: false } : {}),
        signal,
        progress: (line) => process.stderr.write(`${line}\n`),
      })
      return report(outcome.outDir, { json: values.json, ci: values.ci, junit }, (summary) => {
        // A follow-up turned off has nothing to finish; the recovery alone decides.
        if (summary.loopSkipped !== undefined) return true
        // A scenario with a cleanup patch has not finished its follow-up until its release flag is closed out.
        const closedOut = summary.flagClosedOut || loaded.scenario.followUp.cleanup === undefined
        return summary.loopClosed && closedOut
      })
    })
  },
}

/**
 * Writes the run's report and prints its summary (and checks, with --ci). Exit 0 when it recovered and `loopDone`
 * says its follow-up is done, or it was prevented (a prevented run whose follow-up ran must close its loop too).
 */
async function report(
  outDir: string,
  output: { json: boolean; ci: boolean; junit: string | undefined },
  loopDone: (summary: DrillSummary) => boolean,
): Promise<number> {
  const { summary, checks } = await reportRun(outDir)
  process.stdout.write(
    output.json ? `${JSON.stringify(summary)}\n` : `${describeSummary(summary).join('\n')}\n`,
  )
  if (output.ci && !output.json) process.stdout.write(`${describeChecks(checks).join('\n')}\n`)
  if (output.junit !== undefined) await writeFileAtomically(output.junit, drillJunitXml(summary, checks))
  if (output.ci) await appendStepSummary(summary, checks)
  return (summary.status === 'recovered' && loopDone(summary)) ||
    (summary.status === 'prevented' && (summary.verify === null || summary.loopClosed))
    ? 0
    : 1
}

/** The GitHub Actions job summary, when the drill runs there: the run's checks as a table. */
async function appendStepSummary(summary: DrillSummary, checks: JunitSuite[]): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file === undefined || file === '') return
  try {
    await appendFile(
      file,
      checksMarkdown(`firedrill drill ${summary.scenario} (seed ${summary.seed}): ${summary.status}`, checks),
    )
  } catch (err) {
    process.stderr.write(`firedrill: could not append to GITHUB_STEP_SUMMARY (${(err as Error).message})\n`)
  }
}

async function previousRun(dir: string) {
  const runDir = resolve(dir)
  const { events } = await readJournal(join(runDir, 'journal.jsonl'))
  const started = eventsOf(events, 'drill.started')[0]
  // A run whose loop closed left its fix on trunk; a run the gate prevented left trunk as the change found it.
  const prevented = eventsOf(events, 'drill.finished').some((e) => e.data.outcome === 'prevented')
  if (started === undefined || (eventsOf(events, 'fix.merged').length === 0 && !prevented)) {
    throw new UsageError(
      `--again needs a run whose loop closed (its fix merged to trunk) or whose change the gate refused; "${runDir}" has ${started === undefined ? 'no drill.started event' : 'neither a merged fix nor a refused change'}.`,
    )
  }
  const loaded = await loadScenario(join(runDir, 'scenario'))
  return { dir: runDir, seed: started.data.seed, loaded: { ...loaded, name: started.data.scenario } }
}
