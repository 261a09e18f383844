import { createHash, randomBytes } from 'node:crypto'
import { access, cp, mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createFlagStore } from '../../services/flags/create-flag-store.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import { RedisFaultModeStore } from '../../services/payments/fault-mode-store.ts'
import { createRedisConnection } from '../../services/platform/redis/redis-connection.ts'
import { type Clock, systemClock } from '../clock/clock.ts'
import { toAlertmanagerWebhook } from '../detection/alertmanager-webhook.ts'
import type { BurnRateRule } from '../detection/burn-rate-rule.ts'
import { type BurnRateEvent, createBurnRateEvaluator } from '../detection/create-burn-rate-evaluator.ts'
import { createScraper } from '../detection/create-scraper.ts'
import { createRecoveryWatch } from '../detection/recovery-watch.ts'
import { sendWebhook } from '../detection/send-webhook.ts'
import { DrillNotReadyError, DrillOutNotEmptyError } from '../errors.ts'
import type { DrillPhase } from '../journal/journal-event.ts'
import { JournalWriter } from '../journal/journal-writer.ts'
import { scaleDuration } from '../scenario/duration.ts'
import { deriveImpact } from '../timings/derive-impact.ts'
import { impactSloOf } from '../timings/drill-figures.ts'
import { createOrderGenerator } from '../traffic/order-generator.ts'
import type { RequestRecord } from '../traffic/request-outcome.ts'
import { startTraffic, type TrafficRun } from '../traffic/start-traffic.ts'
import { type DeployedShop, deployShop } from './deploy-shop.ts'
import { DrillJournal } from './drill-journal.ts'
import type { DrillOutcome, RunDrillOptions } from './drill-options.ts'
import { flagPercent, isFlagOff, OFF, rolloutChange } from './flag-state.ts'
import { type Page, type Pager, startPager } from './pager.ts'
import { runPreflight } from './preflight.ts'
import { botResponder } from './responders/bot-responder.ts'
import { humanResponder } from './responders/human-responder.ts'
import type { Responder } from './responders/responder.ts'
import { sliceSeries, steadyStateOf } from './steady-state.ts'

type AbortCondition = 'error-budget' | 'max-duration' | 'signal' | 'error'

class DrillAborted extends Error {
  constructor(
    readonly reason: string,
    readonly condition: AbortCondition,
  ) {
    super(reason)
  }
}

/**
 * One whole drill: preflight, deploy the bad change dark, steady state, release in canary steps, detect with
 * burn-rate alerts, page, respond, recover, steady state again, and put everything back. Every step is a journal
 * event; every phase starts only when the previous phase's exit check holds. Stop conditions (error budget,
 * duration, Ctrl-C) abort the drill and put everything back the same way.
 */
export async function runDrill(options: RunDrillOptions): Promise<DrillOutcome> {
  const { loaded } = options
  const { scenario } = loaded
  const clock: Clock = options.clock ?? systemClock
  const say = options.progress ?? (() => {})
  const seed = options.seed ?? scenario.seed
  const responderKind = options.responder ?? scenario.responder.kind
  const startedAt = clock.now()
  const runId = `${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${loaded.name}-${randomBytes(3).toString('hex')}`
  const outDir = resolve(options.outDir ?? join(process.cwd(), '.firedrill', 'runs', runId))
  const journalFile = join(outDir, 'journal.jsonl')
  if (await exists(journalFile)) throw new DrillOutNotEmptyError(outDir)
  await mkdir(outDir, { recursive: true })
  await cp(loaded.dir, join(outDir, 'scenario'), { recursive: true })

  const journal = new DrillJournal(await JournalWriter.create(journalFile, { clock }))
  const flag = scenario.change.flag
  const prefix = `drill-${runId}`
  const token = randomBytes(24).toString('base64url')
  const controller = new AbortController()
  let abort: DrillAborted | undefined
  const stop = (reason: string, condition: AbortCondition) => {
    if (abort !== undefined) return
    abort = new DrillAborted(reason, condition)
    controller.abort(abort)
  }
  const onSignal = () => stop('interrupted (Ctrl-C or SIGTERM)', 'signal')
  if (options.signal?.aborted) onSignal()
  options.signal?.addEventListener('abort', onSignal, { once: true })
  const signal = controller.signal

  const seconds = () => ((clock.now() - startedAt) / 1000).toFixed(1).padStart(6)
  let phase: DrillPhase = 'preflight'
  const enter = async (next: DrillPhase) => {
    phase = next
    await journal.append({ type: 'phase.entered', data: { phase } })
    say(`[${seconds()}s] ${phase}`)
  }

  await journal.append({
    type: 'drill.started',
    data: {
      runId,
      scenario: loaded.name,
      title: scenario.title,
      seed,
      timeScale: scenario.timeScale,
      slo: { objective: scenario.slo.objective, window: scenario.slo.window },
      flag,
      responder: responderKind,
    },
  })

  // Preflight: nothing has changed yet; a failed check ends the drill here.
  await enter('preflight')
  const checks = await runPreflight(loaded, options.redisUrl)
  for (const c of checks) {
    await journal.append(
      c.ok
        ? { type: 'check.passed', data: { name: c.name, evidence: c.evidence } }
        : {
            type: 'check.failed',
            data: { name: c.name, evidence: c.evidence, message: c.message ?? 'failed' },
          },
    )
  }
  const failed = checks.filter((c) => !c.ok)
  if (failed.length > 0) {
    await journal.append({ type: 'drill.aborted', data: { reason: 'preflight failed', condition: 'error' } })
    await journal.close()
    options.signal?.removeEventListener('abort', onSignal)
    throw new DrillNotReadyError(failed.map((c) => ({ name: c.name, message: c.message ?? 'failed' })))
  }

  const redis = createRedisConnection(options.redisUrl, 'worker')
  let deployed: DeployedShop | undefined
  let pager: Pager | undefined
  let traffic: TrafficRun | undefined
  let scraper: ReturnType<typeof createScraper> | undefined
  let evaluator: ReturnType<typeof createBurnRateEvaluator> | undefined
  const background: Promise<unknown>[] = []
  const track = (task: Promise<unknown>) => {
    background.push(
      task.catch((err: unknown) => stop(`drill machinery failed: ${(err as Error).message}`, 'error')),
    )
  }
  let status: DrillOutcome['status'] = 'not-recovered'

  try {
    // Deploy: the bad change travels as a commit to trunk and runs dark (its flag off).
    await enter('deploy')
    deployed = await deployShop(loaded, outDir, {
      redisUrl: options.redisUrl,
      prefix,
      apiInstances: scenario.service.api,
      workers: scenario.service.workers,
      flagsToken: token,
      flagsResyncIntervalMs: 1000,
    })
    const shop = deployed.shop
    const flags = new FlagsHttpClient({ baseUrl: shop.flagsUrl, token, actor: 'release-train' })
    await journal.append({ type: 'change.deployed', data: { commit: deployed.commit ?? 'none', dark: true } })
    const health = await Promise.all(
      [...shop.apiUrls, shop.flagsUrl].map(async (url) => ({
        url,
        status: (await fetch(`${url}/readyz`)).status,
      })),
    )
    await exitCheck(
      'service healthy',
      health.every((h) => h.status === 200),
      { instances: health },
    )
    const initial = (await flags.list()).flags.find((f) => f.key === flag)
    await exitCheck('change is dark', initial !== undefined && isFlagOff(initial), {
      flag,
      serving: initial?.summary ?? 'missing',
    })

    // Detection runs from the first request: the services' own metrics, scraped like a team's Prometheus.
    const rules: BurnRateRule[] = scenario.detection.rules.map((r) => ({
      name: r.name,
      severity: r.severity,
      longWindowMs: scaleDuration(r.longWindow, scenario.timeScale),
      shortWindowMs: scaleDuration(r.shortWindow, scenario.timeScale),
      burnRate: r.burnRate,
    }))
    const windowsOf = new Map(scenario.detection.rules.map((r) => [r.name, r]))
    const budget = 1 - scenario.slo.objective
    const recovery = createRecoveryWatch({
      threshold: budget,
      consecutive: scenario.recovery.consecutiveEvaluations,
    })
    const pageRule = rules.find((r) => r.severity === 'page') ?? rules[0]!
    let released = false
    let mitigated = false
    let recoveredResolve: () => void = () => {}
    const recovered = new Promise<void>((r) => {
      recoveredResolve = r
    })
    let lastShortRatio: number | null = null

    const responder: Responder =
      responderKind === 'human'
        ? humanResponder(options.human)
        : botResponder(scenario.responder.ackDelaySeconds * 1000)
    let acknowledged = false
    const acknowledge = async (by: string, alert: string) => {
      if (acknowledged) return
      acknowledged = true
      await journal.append({ type: 'page.acknowledged', data: { alert, by } })
      say(`[${seconds()}s] page acknowledged by ${by}`)
    }
    let paged: Page | undefined
    let pagedResolve: (page: Page) => void = () => {}
    const pagedPromise = new Promise<Page>((r) => {
      pagedResolve = r
    })
    pager = await startPager((page) => {
      if (paged !== undefined) return
      paged = page
      track(
        (async () => {
          await journal.append({
            type: 'page.sent',
            data: {
              alert: page.alert,
              to: responder.name,
              channel: 'alertmanager-webhook',
              dedupKey: page.fingerprint,
            },
          })
          say(`[${seconds()}s] paged ${responder.name}: ${page.alert}`)
          pagedResolve(page)
          await responder.respond(page, {
            flags: new FlagsHttpClient({ baseUrl: shop.flagsUrl, token, actor: responder.name }),
            flagsUrl: shop.flagsUrl,
            token,
            clock,
            signal,
            acknowledge: (by) => acknowledge(by, page.alert),
            say,
          })
        })(),
      )
    })

    const onDetection = (event: BurnRateEvent) => {
      if (event.type === 'evaluated') {
        for (const r of event.rules) {
          const w = windowsOf.get(r.rule)
          const errorRatios: Record<string, number> = {}
          const burnRates: Record<string, number> = {}
          if (w && r.long.errorRatio !== null) errorRatios[w.longWindow] = r.long.errorRatio
          if (w && r.short.errorRatio !== null) errorRatios[w.shortWindow] = r.short.errorRatio
          if (w && r.long.burnRate !== null) burnRates[w.longWindow] = r.long.burnRate
          if (w && r.short.burnRate !== null) burnRates[w.shortWindow] = r.short.burnRate
          track(journal.append({ type: 'sli.evaluated', data: { rule: r.rule, errorRatios, burnRates } }))
          if (r.rule === pageRule.name) lastShortRatio = r.short.errorRatio
        }
        if (mitigated && !recovery.state().recovered) {
          const state = recovery.observe(lastShortRatio, event.at)
          if (state.recovered) {
            track(
              journal
                .append({
                  type: 'recovery.confirmed',
                  data: { errorRatio: lastShortRatio ?? 0, consecutiveEvaluations: state.streak },
                })
                .then(() => recoveredResolve()),
            )
          }
        }
        const impact = deriveImpact(journal.events, impactSloOf(scenario))
        if (impact.errorBudgetConsumedPct > scenario.stopConditions.maxErrorBudgetConsumedPct) {
          stop(
            `stop condition: ${impact.errorBudgetConsumedPct.toFixed(1)}% of the error budget consumed (limit ${scenario.stopConditions.maxErrorBudgetConsumedPct}%)`,
            'error-budget',
          )
        }
        if (clock.now() - startedAt > scenario.stopConditions.maxDurationSeconds * 1000) {
          stop(
            `stop condition: the drill ran past ${scenario.stopConditions.maxDurationSeconds} s`,
            'max-duration',
          )
        }
        return
      }
      const w = windowsOf.get(event.alert.rule.name)
      if (event.type === 'firing') {
        const { long, short } = event.alert.evidence
        track(
          (async () => {
            await journal.append({
              type: 'alert.fired',
              data: {
                alert: event.alert.rule.name,
                severity: event.alert.rule.severity === 'ticket' ? 'ticket' : 'page',
                burnRates: { long: long.burnRate ?? 0, short: short.burnRate ?? 0 },
                threshold: event.alert.rule.burnRate,
                windows: {
                  long: w?.longWindow ?? `${long.windowMs}ms`,
                  short: w?.shortWindow ?? `${short.windowMs}ms`,
                },
              },
            })
            say(
              `[${seconds()}s] ALERT ${event.alert.rule.name}: burn ${(long.burnRate ?? 0).toFixed(1)}x / ${(short.burnRate ?? 0).toFixed(1)}x (threshold ${event.alert.rule.burnRate}x)`,
            )
            await sendWebhook(
              pager!.url,
              toAlertmanagerWebhook(event.alert, { receiver: 'firedrill-pager', externalURL: shop.flagsUrl }),
            )
          })(),
        )
      } else {
        track(journal.append({ type: 'alert.resolved', data: { alert: event.alert.rule.name } }))
      }
    }

    scraper = createScraper({ targets: shop.apiUrls, intervalMs: scenario.detection.scrapeIntervalMs, clock })
    evaluator = createBurnRateEvaluator({
      objective: scenario.slo.objective,
      rules,
      evaluationIntervalMs: scenario.detection.evaluationIntervalMs,
      clock,
      source: scraper,
      onEvent: onDetection,
    })

    // Traffic: seeded orders on an open arrival schedule; every interval's outcome goes to the journal.
    let firstFailureLogged = false
    traffic = startTraffic({
      targets: shop.apiUrls,
      ratePerSecond: scenario.traffic.ratePerSecond,
      generator: createOrderGenerator({
        seed,
        couponShare: scenario.traffic.mix.couponShare,
        itemsPerOrder: scenario.traffic.mix.itemsPerOrder,
        customers: scenario.traffic.mix.customers,
      }),
      clock,
      intervalMs: 250,
      timeoutMs: 2000,
      onInterval: (counts) => {
        track(
          journal.append({
            type: 'traffic.interval',
            data: {
              index: counts.index,
              from: new Date(counts.start).toISOString(),
              to: new Date(counts.end).toISOString(),
              requests: counts.requests - counts.dropped,
              failures: counts.failures,
              dropped: counts.dropped,
              byStatus: counts.byStatus,
              latencyP50Ms: counts.latencyP50,
              latencyP99Ms: counts.latencyP99,
            },
          }),
        )
        if (released && !firstFailureLogged && counts.failures > 0) {
          firstFailureLogged = true
          const first = traffic?.firstFailure()
          const status =
            first?.status ?? Object.keys(counts.byStatus).find((s) => s.startsWith('5')) ?? 'unknown'
          track(
            journal.append({
              type: 'request.first-failure',
              data: { status: typeof status === 'number' ? status : String(status), route: 'POST /orders' },
            }),
          )
        }
      },
    })
    await journal.append({
      type: 'traffic.started',
      data: { ratePerSecond: scenario.traffic.ratePerSecond, seed },
    })
    scraper.start()
    evaluator.start()

    const live = setInterval(() => {
      const ratio = lastShortRatio === null ? 'no data' : `${(lastShortRatio * 100).toFixed(1)}%`
      say(`[${seconds()}s] ${phase}: error ratio (${pageRule.name} short window) ${ratio}`)
    }, 2000)
    live.unref()

    try {
      // Steady state before: the hypothesis must hold before anything is released.
      await enter('steady-state-before')
      await steadyState('before')

      // Release: canary steps through the flag, until the last step's hold ends or someone is paged.
      await enter('release')
      for (const [i, step] of scenario.release.steps.entries()) {
        if (paged !== undefined) break
        const before = (await flags.list()).flags.find((f) => f.key === flag)
        const answer = await flags.set(
          flag,
          rolloutChange(step.percent),
          `canary step ${i + 1}: ${step.percent}%`,
        )
        released ||= step.percent > 0
        await journal.append({
          type: 'flag.changed',
          data: {
            key: flag,
            from: before?.summary ?? null,
            to: answer.definition.summary,
            percent: step.percent,
            actor: 'release-train',
            reason: `canary step ${i + 1}: ${step.percent}%`,
          },
        })
        await journal.append({
          type: 'release.step',
          data: { flag, step: i + 1, percent: step.percent, holdSeconds: step.holdSeconds },
        })
        say(`[${seconds()}s] release step ${i + 1}: ${flag} on for ${step.percent}%`)
        await Promise.race([clock.sleep(step.holdSeconds * 1000, signal), pagedPromise])
      }

      // Respond: wait for the page (stop conditions cover a page that never comes), then for the flag to go off.
      const page = await race(pagedPromise, signal)
      await enter('respond')
      const off = await waitForFlagOff(flags, flag, clock, signal)
      mitigated = true
      const audit = (await flags.audit(20)).find((e) => e.flag === flag)
      if (!acknowledged) await acknowledge(audit?.actor ?? 'unknown', page.alert)
      await journal.append({
        type: 'flag.changed',
        data: {
          key: flag,
          from: audit?.from ?? null,
          to: off.summary,
          percent: flagPercent(off),
          actor: audit?.actor ?? 'unknown',
          reason: audit?.reason ?? '',
        },
      })
      await journal.append({
        type: 'mitigation.applied',
        data: { action: 'flag off', flag, by: audit?.actor ?? 'unknown', reason: audit?.reason ?? '' },
      })
      say(`[${seconds()}s] mitigated: ${flag} off (by ${audit?.actor ?? 'unknown'})`)

      // Recover: the short window's error ratio stays under the SLO's budget for N evaluations in a row.
      await enter('recover')
      await race(recovered, signal)
      say(`[${seconds()}s] recovered`)

      await enter('steady-state-after')
      status = (await steadyState('after')) ? 'recovered' : 'not-recovered'
    } finally {
      clearInterval(live)
    }
  } catch (err) {
    if (!(err instanceof DrillAborted) && abort === undefined) {
      stop(`drill failed: ${(err as Error).message}`, 'error')
    }
    if (abort === undefined) throw err
  } finally {
    // Put everything back, whatever happened: traffic stopped, flag safe, faults cleared, shop closed.
    await enter('cleanup').catch(() => {})
    const summary = await traffic?.stop().catch(() => undefined)
    if (summary !== undefined && traffic !== undefined) {
      const sequence = requestSequenceDigest(traffic.requests())
      await journal
        .append({
          type: 'traffic.stopped',
          data: { requests: summary.requests, failures: summary.failures, sequence },
        })
        .catch(() => {})
    }
    await evaluator?.stop().catch(() => {})
    await scraper?.stop().catch(() => {})
    await Promise.allSettled(background)
    await restoreSafety(options.redisUrl, prefix, flag, abort?.reason ?? 'drill finished').catch(() => {})
    await new RedisFaultModeStore(redis, prefix).clear().catch(() => {})
    await pager?.close().catch(() => {})
    await deployed?.shop.close().catch(() => {})
    options.signal?.removeEventListener('abort', onSignal)
    if (abort !== undefined) {
      status = 'aborted'
      await journal.append({
        type: 'drill.aborted',
        data: { reason: abort.reason, condition: abort.condition },
      })
      say(
        `[${seconds()}s] ABORTED: ${abort.reason}; flags back to safe values, faults cleared, traffic stopped`,
      )
    } else {
      await journal.append({
        type: 'drill.finished',
        data: {
          outcome: status === 'recovered' ? 'recovered' : 'not-recovered',
          durationMs: clock.now() - startedAt,
        },
      })
    }
    await journal.close()
    await redis.quit().catch(() => {})
  }

  return { runId, outDir, journal: journalFile, status, ...(abort ? { abortReason: abort.reason } : {}) }

  async function exitCheck(name: string, ok: boolean, evidence: Record<string, unknown>) {
    if (ok) {
      await journal.append({ type: 'check.passed', data: { name, evidence } })
      return
    }
    await journal.append({ type: 'check.failed', data: { name, evidence, message: `${name} did not hold` } })
    throw new DrillAborted(`exit check failed: ${name}`, 'error')
  }

  async function steadyState(when: 'before' | 'after'): Promise<boolean> {
    const from = clock.now()
    await clock.sleep(scenario.steadyState.durationSeconds * 1000, signal)
    await scraper!.scrapeOnce()
    const { requests, failures } = sliceSeries(scraper!.series(), from, clock.now())
    const result = steadyStateOf(requests, failures, scenario.steadyState)
    await journal.append({ type: 'steady-state.checked', data: { when, ...result } })
    say(
      `[${seconds()}s] steady state ${when}: ${result.ok ? 'holds' : 'does NOT hold'} (${failures}/${requests} failed, limit ${(scenario.steadyState.maxErrorRatio * 100).toFixed(2)}%)`,
    )
    if (!result.ok && when === 'before') {
      throw new DrillAborted('the steady state did not hold before the release', 'error')
    }
    return result.ok
  }
}

/** The first 200 requests in schedule order, as a digest: what two runs with one seed must share. */
function requestSequenceDigest(records: readonly RequestRecord[]): { count: number; digest: string } {
  const first = [...records].sort((a, b) => a.seq - b.seq).slice(0, 200)
  const hash = createHash('sha256')
  for (const r of first)
    hash.update(`${r.seq}|${r.requestId}|${r.customerId}|${r.couponCode ?? ''}|${r.itemCount}\n`)
  return { count: first.length, digest: hash.digest('hex') }
}

async function waitForFlagOff(flags: FlagsHttpClient, flag: string, clock: Clock, signal: AbortSignal) {
  for (;;) {
    const view = (await flags.list()).flags.find((f) => f.key === flag)
    if (view !== undefined && isFlagOff(view)) return view
    await clock.sleep(100, signal)
  }
}

/** The guarded flag back to its safe value, straight through the store (the flags app may be gone). */
async function restoreSafety(redisUrl: string, prefix: string, flag: string, why: string): Promise<void> {
  const store = createFlagStore({ redis: redisUrl, prefix })
  try {
    const current = await store.get(flag)
    if (current !== undefined && (current.defaultVariant !== 'off' || current.targeting !== undefined)) {
      await store.setFlag(flag, OFF, 'firedrill', `drill cleanup: ${why}`)
    }
  } finally {
    await store.close()
  }
}

function race<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolvePromise, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolvePromise(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
