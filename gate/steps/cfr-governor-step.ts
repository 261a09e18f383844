import { DAY_MS } from '../../record/dora/dora-events.ts'
import { type DoraMetrics, doraMetrics } from '../../record/dora/dora-metrics.ts'
import { readEventsFile } from '../../record/dora/read-events-file.ts'
import { humanizeMs } from '../../record/timings/humanize-ms.ts'
import { checkoutFile } from './checkout-file.ts'
import type { StepContext, StepOutcome } from './step-context.ts'

/** A `cfr-governor` step's `with` options, defaults applied. */
export interface CfrGovernorOptions {
  /** The fourkeys JSON export, relative to the repository root. */
  events: string
  /** @defaultValue 30 */
  trailingDays: number
  /** The period just before the trailing one. @defaultValue 90 */
  baselineDays: number
  /** Absolute: 0.05 lets the rate rise by 5 points. @defaultValue 0.05 */
  maxFailureRateIncrease: number
  /** @defaultValue 1.5 */
  maxRecoveryTimeRatio: number
}

export const CFR_GOVERNOR_DEFAULTS = {
  trailingDays: 30,
  baselineDays: 90,
  maxFailureRateIncrease: 0.05,
  maxRecoveryTimeRatio: 1.5,
} as const

/** Float noise (0.1 + 0.05) must not turn a rate exactly at its limit red. */
const EPSILON = 1e-9

/** One period's figures the governor compares. */
export interface CfrPeriodFigures {
  days: number
  failureRate: number | null
  failedDeployments: number
  deployments: number
  recoveryMedianMs: number | null
  incidents: number
}

export interface CfrVerdict {
  trailing: CfrPeriodFigures
  baseline: CfrPeriodFigures
  /** One line per regression; empty when neither figure regressed. */
  regressions: string[]
  /** One line per comparison made (or why it could not be made). */
  comparisons: string[]
}

/**
 * Compares the trailing period (the last `trailingDays` up to `now`) with the baseline (the `baselineDays`
 * before it). The change failure rate regresses when trailing > baseline + `maxFailureRateIncrease`; the
 * recovery time when the trailing median > baseline median × `maxRecoveryTimeRatio`. A figure that is null in
 * either period (no deployments, no resolved incidents) is not compared.
 */
export function judgeChangeFailure(
  metricsOf: (since: number, until: number) => DoraMetrics,
  options: Omit<CfrGovernorOptions, 'events'>,
  now: number,
): CfrVerdict {
  const trailingStart = now - options.trailingDays * DAY_MS
  const trailing = figures(metricsOf(trailingStart, now), options.trailingDays)
  const baseline = figures(
    metricsOf(trailingStart - options.baselineDays * DAY_MS, trailingStart - 1),
    options.baselineDays,
  )
  const regressions: string[] = []
  const comparisons: string[] = []

  if (trailing.failureRate === null || baseline.failureRate === null) {
    comparisons.push(
      `change failure rate: not compared (no production deployments in the ${trailing.failureRate === null ? 'trailing' : 'baseline'} period)`,
    )
  } else {
    const limit = baseline.failureRate + options.maxFailureRateIncrease
    const regressed = trailing.failureRate > limit + EPSILON
    const line = `change failure rate: trailing ${pct(trailing.failureRate)} ${regressed ? '>' : '<='} baseline ${pct(baseline.failureRate)} + ${pct(options.maxFailureRateIncrease)} = ${pct(limit)}`
    comparisons.push(line)
    if (regressed) regressions.push(line)
  }

  if (trailing.recoveryMedianMs === null || baseline.recoveryMedianMs === null) {
    comparisons.push(
      `recovery time: not compared (no resolved incidents in the ${trailing.recoveryMedianMs === null ? 'trailing' : 'baseline'} period)`,
    )
  } else {
    const limit = baseline.recoveryMedianMs * options.maxRecoveryTimeRatio
    const regressed = trailing.recoveryMedianMs > limit
    const line = `recovery time: trailing median ${humanizeMs(trailing.recoveryMedianMs)} ${regressed ? '>' : '<='} baseline median ${humanizeMs(baseline.recoveryMedianMs)} × ${options.maxRecoveryTimeRatio} = ${humanizeMs(limit)}`
    comparisons.push(line)
    if (regressed) regressions.push(line)
  }
  return { trailing, baseline, regressions, comparisons }
}

/**
 * `cfr-governor`: red when the trailing change failure rate or failed deployment recovery time has regressed
 * past its threshold against the baseline (`judgeChangeFailure`), so deploys cannot speed up while breaking
 * more. `error` when the events file is not named, missing or invalid. `now` is the gate run's time.
 * The step's `with` options come from the gate file as the runner parsed it.
 */
export async function cfrGovernorStep(ctx: StepContext, now: Date = new Date()): Promise<StepOutcome> {
  const options = cfrGovernorOptionsIn(ctx)
  if (options === undefined)
    return {
      status: 'error',
      outputTail: '',
      reason: `with.events must name the fourkeys JSON export to read (a path in the repository, e.g. dora/events.json)`,
    }
  let events: Awaited<ReturnType<typeof readEventsFile>>
  try {
    events = await readEventsFile(await checkoutFile(ctx.worktree, options.events))
  } catch (err) {
    const field = (err as { field?: unknown }).field
    return {
      status: 'error',
      outputTail: (err as Error).message.replaceAll(`${ctx.worktree}/`, ''),
      reason:
        typeof field === 'string'
          ? `${options.events}: ${field} is invalid`
          : `${options.events} cannot be read`,
    }
  }
  const verdict = judgeChangeFailure(
    (since, until) => doraMetrics(events, { since, until, now: now.getTime() }),
    options,
    now.getTime(),
  )
  const summary = `${periodLine('trailing', verdict.trailing)}; ${periodLine('baseline', verdict.baseline)}`
  if (verdict.regressions.length > 0)
    return {
      status: 'failed',
      outputTail: [summary, ...verdict.comparisons].join('\n'),
      reason: `regressed against the baseline: ${verdict.regressions.map((r) => r.split(':')[0]).join(' and ')}`,
    }
  return { status: 'passed', outputTail: [summary, ...verdict.comparisons].join('\n') }
}

/** This step's `with` options as the runner parsed them, with the defaults; undefined without `events`. */
function cfrGovernorOptionsIn(ctx: StepContext): CfrGovernorOptions | undefined {
  const given = ctx.step.governor ?? {}
  if (given.events === undefined) return undefined
  return { ...CFR_GOVERNOR_DEFAULTS, ...given, events: given.events }
}

function figures(m: DoraMetrics, days: number): CfrPeriodFigures {
  return {
    days,
    failureRate: m.changeFailureRate.rate,
    failedDeployments: m.changeFailureRate.failedDeployments,
    deployments: m.changeFailureRate.deployments,
    recoveryMedianMs: m.failedDeploymentRecoveryTime.medianMs,
    incidents: m.failedDeploymentRecoveryTime.incidents,
  }
}

function periodLine(name: string, f: CfrPeriodFigures): string {
  const rate = f.failureRate === null ? 'n/a' : pct(f.failureRate)
  const recovery = f.recoveryMedianMs === null ? 'n/a' : humanizeMs(f.recoveryMedianMs)
  return `${name} ${f.days}d: change failure rate ${rate} (${f.failedDeployments}/${f.deployments} deployments), recovery median ${recovery} (${f.incidents} incident(s))`
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`
