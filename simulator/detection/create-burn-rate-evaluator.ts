import type { Clock } from '../../record/clock/clock.ts'
import { startTicker, type Ticker } from '../../record/clock/start-ticker.ts'
import type { BurnRateRule } from '../../record/timings/burn-rate-rule.ts'
import { DetectionOptionsInvalidError } from './errors.ts'
import type { SliSeriesSource } from './sli-sample.ts'
import { type WindowEvidence, windowErrorRatio } from './window-error-ratio.ts'

export interface BurnRateEvaluatorOptions {
  /** The SLO's objective, e.g. 0.999: the error budget is 1 - objective. */
  objective: number
  rules: readonly BurnRateRule[]
  evaluationIntervalMs: number
  clock: Clock
  /** Where the (t, total, bad) series comes from: the scraper, or a hand-made series in tests. */
  source: SliSeriesSource
  /** A window with fewer requests than this is no data. @defaultValue 10 */
  minRequests?: number
  /** Every `evaluated` record and every alert transition, in order. */
  onEvent?: (event: BurnRateEvent) => void
  /** The SLO's name, on its alerts. @defaultValue 'orders-availability' */
  slo?: string
  /**
   * How long a firing alert keeps firing once its condition has cleared (Prometheus `keep_firing_for`), so an
   * alert flapping around its threshold stays one alert. @defaultValue 0
   */
  keepFiringForMs?: number
}

/**
 * One rule at one evaluation. `no-data`: a window lacked requests, so the rule could not say (not "fine");
 * `held`: the alert still fires, kept by keep_firing_for after its condition cleared.
 */
export interface RuleEvaluation {
  rule: string
  slo: string
  severity: string
  threshold: number
  conditionMet: boolean
  state: 'ok' | 'firing' | 'held' | 'no-data'
  long: WindowEvidence
  short: WindowEvidence
}

export interface BurnRateAlert {
  rule: BurnRateRule
  slo: string
  objective: number
  startsAt: number
  /** Null while firing. */
  endsAt: number | null
  /** Since when its condition has been clear while keep_firing_for holds it; null while the condition holds. */
  heldSince: number | null
  /** The evaluation that fired it, or (once resolved) the one that resolved it. */
  evidence: RuleEvaluation
}

/**
 * `firing`: a new alert. `held`: its condition cleared, keep_firing_for holds it. `rearmed`: the condition came
 * back while held (still the same alert). `resolved`: cleared for keep_firing_for (at once without it).
 */
export type BurnRateEvent =
  | { type: 'evaluated'; at: number; rules: RuleEvaluation[] }
  | { type: 'firing'; at: number; alert: BurnRateAlert }
  | { type: 'held'; at: number; alert: BurnRateAlert }
  | { type: 'rearmed'; at: number; alert: BurnRateAlert }
  | { type: 'resolved'; at: number; alert: BurnRateAlert }

export interface BurnRateEvaluator {
  /**
   * Evaluates every rule as of `at` (default now: a detector that evaluates each scrape as it lands passes the
   * scrape's time, so a replay of the series decides the same), emits the transitions, and returns the record.
   */
  evaluate(at?: number): Extract<BurnRateEvent, { type: 'evaluated' }>
  /** Evaluates now and then every evaluationIntervalMs of the clock. */
  start(): void
  /** Stops the schedule; rethrows the first error an onEvent callback threw. */
  stop(): Promise<void>
  events(): readonly BurnRateEvent[]
  firing(): readonly BurnRateAlert[]
}

/**
 * Multiwindow, multi-burn-rate alerting (SRE workbook): each evaluation computes each rule's long- and
 * short-window error ratio from the series; a rule fires when both burn rates exceed its threshold and
 * resolves when both windows have data again and the condition has stayed false for keepFiringForMs. While a
 * window has no data a firing alert stays firing, and a quiet one does not fire: missing data is never read as
 * "no errors".
 */
export function createBurnRateEvaluator(options: BurnRateEvaluatorOptions): BurnRateEvaluator {
  const { objective, rules, evaluationIntervalMs, clock, source, onEvent } = options
  const minRequests = options.minRequests ?? 10
  const slo = options.slo ?? 'orders-availability'
  const keepFiringForMs = options.keepFiringForMs ?? 0
  validate(options)
  const events: BurnRateEvent[] = []
  const active = new Map<string, BurnRateAlert>()
  let running: Ticker | null = null

  const emit = (event: BurnRateEvent) => {
    events.push(event)
    onEvent?.(event)
  }

  const evaluate = (at: number = clock.now()): Extract<BurnRateEvent, { type: 'evaluated' }> => {
    const series = source.series()
    const transitions: BurnRateEvent[] = []
    const evaluations = rules.map((rule): RuleEvaluation => {
      const long = windowErrorRatio(series, at, rule.longWindowMs, objective, minRequests)
      const short = windowErrorRatio(series, at, rule.shortWindowMs, objective, minRequests)
      const hasData = long.burnRate !== null && short.burnRate !== null
      const conditionMet = hasData && long.burnRate! > rule.burnRate && short.burnRate! > rule.burnRate
      const current = active.get(rule.name)
      const base = {
        rule: rule.name,
        slo,
        severity: rule.severity,
        threshold: rule.burnRate,
        conditionMet,
        long,
        short,
      }
      if (current === undefined) {
        if (!conditionMet) return { ...base, state: hasData ? 'ok' : 'no-data' }
        const evaluation: RuleEvaluation = { ...base, state: 'firing' }
        const alert: BurnRateAlert = {
          rule,
          slo,
          objective,
          startsAt: at,
          endsAt: null,
          heldSince: null,
          evidence: evaluation,
        }
        active.set(rule.name, alert)
        transitions.push({ type: 'firing', at, alert })
        return evaluation
      }
      if (conditionMet) {
        const evaluation: RuleEvaluation = { ...base, state: 'firing' }
        if (current.heldSince !== null) {
          const alert = { ...current, heldSince: null, evidence: evaluation }
          active.set(rule.name, alert)
          transitions.push({ type: 'rearmed', at, alert })
        }
        return evaluation
      }
      if (!hasData) return { ...base, state: current.heldSince === null ? 'firing' : 'held' }
      const heldSince = current.heldSince ?? at
      if (at - heldSince >= keepFiringForMs) {
        const evaluation: RuleEvaluation = { ...base, state: 'ok' }
        active.delete(rule.name)
        transitions.push({
          type: 'resolved',
          at,
          alert: { ...current, endsAt: at, heldSince, evidence: evaluation },
        })
        return evaluation
      }
      const evaluation: RuleEvaluation = { ...base, state: 'held' }
      if (current.heldSince === null) {
        const alert = { ...current, heldSince, evidence: evaluation }
        active.set(rule.name, alert)
        transitions.push({ type: 'held', at, alert })
      }
      return evaluation
    })
    const evaluated = { type: 'evaluated' as const, at, rules: evaluations }
    emit(evaluated)
    for (const transition of transitions) emit(transition)
    return evaluated
  }

  return {
    evaluate,
    events: () => events,
    firing: () => [...active.values()],
    start() {
      running ??= startTicker(clock, evaluationIntervalMs, () => evaluate())
    },
    async stop() {
      const ticker = running
      running = null
      await ticker?.stop()
    },
  }
}

function validate(options: BurnRateEvaluatorOptions): void {
  const { objective, rules, evaluationIntervalMs } = options
  if (!(objective > 0 && objective < 1))
    throw new DetectionOptionsInvalidError(
      'objective',
      `must be between 0 and 1, exclusive (got ${objective})`,
    )
  if (!(evaluationIntervalMs > 0))
    throw new DetectionOptionsInvalidError(
      'evaluationIntervalMs',
      `must be a positive number (got ${evaluationIntervalMs})`,
    )
  if (options.keepFiringForMs !== undefined && !(options.keepFiringForMs >= 0))
    throw new DetectionOptionsInvalidError(
      'keepFiringForMs',
      `must be zero or more (got ${options.keepFiringForMs})`,
    )
  if (options.minRequests !== undefined && !(options.minRequests >= 1))
    throw new DetectionOptionsInvalidError('minRequests', `must be at least 1 (got ${options.minRequests})`)
  const names = new Set<string>()
  for (const [i, rule] of rules.entries()) {
    const field = `rules[${i}]`
    if (names.has(rule.name))
      throw new DetectionOptionsInvalidError(`${field}.name`, `repeats "${rule.name}"`)
    names.add(rule.name)
    if (!(rule.burnRate > 0))
      throw new DetectionOptionsInvalidError(`${field}.burnRate`, `must be positive (got ${rule.burnRate})`)
    if (!(rule.shortWindowMs > 0 && rule.longWindowMs > rule.shortWindowMs))
      throw new DetectionOptionsInvalidError(
        `${field}`,
        `needs 0 < shortWindowMs < longWindowMs (got ${rule.shortWindowMs} and ${rule.longWindowMs})`,
      )
  }
}
