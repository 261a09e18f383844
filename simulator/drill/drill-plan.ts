import { scaleDuration } from '../../record/scenario/duration.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import { shopServiceOf } from '../../record/scenario/shop-service.ts'
import { describeFaultMode } from '../../services/payments/provider-status.ts'
import { detectionSettingsOf } from '../detection/scenario-detection.ts'
import { describeWatch } from './post-deploy-watch/watch-settings.ts'
import type { CheckResult } from './preflight.ts'

/** The drill's plan in words: phases and their exit checks, what changes, the stop conditions, the way back. */
export function describePlan(
  loaded: LoadedScenario,
  checks: readonly CheckResult[],
  /** Who answers the page, when the caller overrides the scenario (a training drill's trainee). */
  responder: 'bot' | 'human' = loaded.scenario.responder.kind,
): string {
  const s = loaded.scenario
  const service = shopServiceOf(loaded.name, s)
  const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`
  const flag = s.change.flag
  const fault = s.change.fault
  const provider = fault.kind === 'provider-degraded' ? fault : undefined
  const storm = fault.kind === 'charges-retried-at-once' ? fault : undefined
  const last = s.release.steps.length - 1
  const steps = s.release.steps.map((st, i) =>
    provider !== undefined
      ? `    ${i + 1}. the payment provider ${st.percent > 0 ? describeFaultMode(provider.provider) : 'healthy'}, hold ${st.holdSeconds} s`
      : flag === undefined
        ? `    ${i + 1}. ${st.percent}% of the api instances on the new artifact, hold ${st.holdSeconds} s`
        : `    ${i + 1}. ${flag} on for ${st.percent}%, hold ${st.holdSeconds} s${
            storm !== undefined && i === last
              ? `; ${storm.blip.afterSeconds} s in, the payment provider ${describeFaultMode(storm.blip.provider)} for ${storm.blip.seconds} s (a blip)`
              : ''
          }`,
  )
  const detection = detectionSettingsOf(s)
  const slos = detection.slos.map(
    (slo) =>
      `    - SLO ${slo.name}: ${slo.sli.description}, objective ${Number((slo.objective * 100).toPrecision(10))} %`,
  )
  const rules = s.detection.rules.map(
    (r) =>
      `    - ${r.name} (${r.severity}): ${r.burnRate}x over ${r.longWindow}/${r.shortWindow} → ${seconds(scaleDuration(r.longWindow, s.timeScale))}/${seconds(scaleDuration(r.shortWindow, s.timeScale))} at time scale ${s.timeScale}`,
  )
  return [
    `Drill "${loaded.name}": ${s.title}`,
    `  scenario ${loaded.file}, seed ${s.seed}, responder ${responder}`,
    '',
    "Phases (each starts only when the previous one's exit check holds):",
    '  1. preflight            the checks below; nothing changes if one fails',
    `  2. deploy               sandbox repository from services/; ${s.change.patch ? `${s.change.patch} committed on a branch and merged to trunk` : 'no change to commit'};`,
    ...(provider !== undefined
      ? [
          `                          the shop starts from trunk as it is (${service.api} api, ${service.workers} worker); nothing of ours changes`,
          `                          exit checks: every instance ready; the payment provider healthy; ${provider.degradeSwitch} is the degrade switch`,
        ]
      : flag === undefined
        ? [
            `                          the shop starts from trunk as it was (${service.api} api, ${service.workers} worker); the change is built,`,
            '                          verified on staging and tagged, not yet deployed to production (it has no flag)',
            '                          exit checks: every instance ready; production still runs the build before the change',
          ]
        : [
            `                          the shop starts from trunk (${service.api} api, ${service.workers} worker) with ${flag} off (dark)`,
            ...(storm === undefined
              ? []
              : [
                  '                          the fulfilment workers roll onto the change with the api (it is their code); the payment',
                  `                          provider serves at most ${storm.capacityPerSecond} charge attempts a second (under the drill's lease)`,
                ]),
            '                          exit checks: every instance ready; the flag serves off',
          ]),
    `  3. steady state before  ${s.traffic.ratePerSecond} req/s of seeded orders for ${s.steadyState.durationSeconds} s; error ratio ≤ ${s.steadyState.maxErrorRatio}, ≥ ${s.steadyState.minRequests} requests`,
    provider !== undefined
      ? "  4. release              the payment provider's fault (its fault mode in Redis, under the drill's lease), stopped early by a page:"
      : flag === undefined
        ? '  4. release              a rolling deploy in batches of api instances, stopped early by a page:'
        : '  4. release              canary steps through the flag, stopped early by a page:',
    ...steps,
    `                          ${describeWatch(s)}`,
    `  5. detect and respond   burn-rate alerts on the api's and workers' own /metrics (scrape ${s.detection.scrapeIntervalMs} ms, evaluate ${s.detection.evaluateOnScrape ? 'after each scrape' : `every ${s.detection.evaluationIntervalMs} ms`}):`,
    ...slos,
    ...rules,
    `                          an alert keeps firing ${seconds(detection.keepFiringForMs)} after its condition clears; alerts are grouped${detection.grouping.groupBy.length === 0 ? '' : ` by ${detection.grouping.groupBy.join(', ')}`} (wait ${seconds(detection.grouping.groupWaitMs)}): one page per group`,
    `                          page (Alertmanager webhook) → ${responder === 'bot' ? `bot acknowledges after ${s.responder.ackDelaySeconds} s, journals its diagnosis (provider status, flag audit log, deploy history) and undoes the change closest to the onset, or turns the degrade switch on for a failing provider` : 'a human trainee mitigates'}`,
    ...(s.decoys.length === 0
      ? []
      : [
          `                          decoys: ${s.decoys.length} harmless change(s) by someone else during the drill (the scenario file says which; kept out of the trainee's view)`,
        ]),
    `  6. recover              every SLO's short-window error ratio under its budget (1 − objective) for ${s.recovery.consecutiveEvaluations} evaluations in a row`,
    `  7. steady state after   as in 3`,
    '',
    'Stop conditions (abort):',
    `  - more than ${s.stopConditions.maxErrorBudgetConsumedPct}% of the ${s.slo.window} error budget consumed`,
    `  - the drill runs past ${s.stopConditions.maxDurationSeconds} s`,
    '  - Ctrl-C',
    '',
    `Put back, on finish or abort: traffic stopped; ${flag === undefined ? '' : 'the flag back to off; '}payment faults${storm === undefined ? '' : ' and capacity'} cleared; the shop stopped;`,
    'its Redis keys live under a prefix of their own. The journal records every step.',
    '',
    'Preflight:',
    ...checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.message ?? ''}`}`),
    '',
  ].join('\n')
}
