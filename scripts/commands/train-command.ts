import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { reportRun } from '../../simulator/drill/report-run.ts'
import { describeScore } from '../../training/describe-score.ts'
import { openInBrowser } from '../../training/open-in-browser.ts'
import { startTraining } from '../../training/run-training.ts'
import { startTrainingGroup } from '../../training/run-training-group.ts'
import { UsageError } from '../cli-errors.ts'
import type { Command } from '../command.ts'
import { usageText } from '../command-definition.ts'
import { trainDefinition } from '../definitions/train-definition.ts'
import { describeSummary } from '../describe-summary.ts'
import { withDrillSession } from '../drill-session.ts'
import { intOption, parseCommandArgs } from '../parse-command-args.ts'

const TRAINEE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u
/** How many trainees' drills one process runs at once. */
const MAX_TRAINEES = 8

/** `--open`: the facilitator's page in the user's browser, or a line saying to open it by hand. */
async function openFacilitatorPage(url: string): Promise<void> {
  const why = await openInBrowser(url)
  process.stderr.write(
    why === null
      ? 'firedrill: opened the facilitator page in your browser\n'
      : `firedrill: could not open a browser (${why}); open the facilitator URL above by hand\n`,
  )
}

export const trainCommand: Command = {
  name: 'train',
  async run(argv) {
    const { values } = parseCommandArgs(argv, trainDefinition)
    const trainee = values.trainee.trim()
    if (!TRAINEE_NAME.test(trainee))
      throw new UsageError(
        `--trainee must be a name of 1 to 64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit (got "${values.trainee}").\n${usageText(trainDefinition)}`,
      )
    const seed = values.seed === undefined ? undefined : intOption(values.seed, 'seed', 0, 0, 4_294_967_295)
    const port = values.port === undefined ? undefined : intOption(values.port, 'port', 0, 1, 65_535)
    const trainees = intOption(values.trainees, 'trainees', 1, 1, MAX_TRAINEES)
    const loaded = await loadScenario(values.scenario)
    if (trainees > 1)
      return withDrillSession(values.redis, async ({ redisUrl, signal }) => {
        const group = await startTrainingGroup({
          loaded,
          redisUrl,
          trainees: Array.from({ length: trainees }, (_, i) => `${trainee}-${i + 1}`),
          signal,
          progress: (name, line) => process.stderr.write(`${name} ${line}\n`),
          ...(seed === undefined ? {} : { seed }),
          ...(port === undefined ? {} : { port }),
          ...(values.out === undefined ? {} : { outDir: values.out }),
        })
        process.stderr.write(
          [
            `firedrill: ${trainees} training drills of "${loaded.name}": ${loaded.scenario.title}`,
            ...group.trainings.map(({ trainee: name, training }) => `  ${name}: ${training.traineeUrl}`),
            `  facilitator (every drill): ${group.facilitatorUrl}`,
            '  Each drill starts when its plan is approved. Ctrl-C aborts them all and puts everything back.',
            '',
          ].join('\n'),
        )
        if (values.open === true) await openFacilitatorPage(group.facilitatorUrl)
        try {
          const outcomes = await group.outcomes
          let failed = 0
          for (const [i, outcome] of outcomes.entries()) {
            const { summary, postmortem } = await reportRun(outcome.outDir)
            process.stdout.write(
              `== ${group.trainings[i]!.trainee} ==\n${describeSummary(summary).join('\n')}\n`,
            )
            if (postmortem.training !== undefined)
              process.stdout.write(`${describeScore(postmortem.training).join('\n')}\n`)
            if (summary.status !== 'recovered') failed++
          }
          return failed === 0 ? 0 : 1
        } finally {
          await group.close()
        }
      })
    return withDrillSession(values.redis, async ({ redisUrl, signal }) => {
      const training = await startTraining({
        loaded,
        redisUrl,
        trainee,
        signal,
        progress: (line) => process.stderr.write(`${line}\n`),
        ...(seed === undefined ? {} : { seed }),
        ...(port === undefined ? {} : { port }),
        ...(values.out === undefined ? {} : { outDir: values.out }),
      })
      process.stderr.write(
        [
          `firedrill: training drill "${loaded.name}": ${loaded.scenario.title}`,
          `  trainee (${trainee}): ${training.traineeUrl}`,
          `  facilitator:        ${training.facilitatorUrl}`,
          '  The drill starts when the facilitator approves its plan. Ctrl-C aborts and puts everything back.',
          '',
        ].join('\n'),
      )
      if (values.open === true) await openFacilitatorPage(training.facilitatorUrl)
      try {
        const outcome = await training.outcome
        const { summary, postmortem } = await reportRun(outcome.outDir)
        process.stdout.write(`${describeSummary(summary).join('\n')}\n`)
        if (postmortem.training !== undefined)
          process.stdout.write(`${describeScore(postmortem.training).join('\n')}\n`)
        return summary.status === 'recovered' ? 0 : 1
      } finally {
        await training.close()
      }
    })
  },
}
