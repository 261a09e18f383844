import { createServer } from 'node:net'
import { parseDuration } from '../../record/scenario/duration.ts'
import { DEFAULT_BURN_RATE_RULES } from '../../record/scenario/scenario-schema.ts'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { pagerListen } from '../../record/target/pager-listen.ts'
import { pickTimeScale } from '../../record/target/pick-time-scale.ts'
import { TARGET_METRICS_SLI_KINDS } from '../detection/rules/target-sli-names.ts'
import type { SliKind } from '../detection/sli-definition.ts'
import { dependencyChecks } from './dependency-checks.ts'
import { flagChecks } from './flag-checks.ts'
import { expect2xx } from './http-probe.ts'
import { sliChecks } from './sli-checks.ts'
import { check, type TargetCheck } from './target-check.ts'

export interface TargetPreflightOptions {
  /** Where tokens are read from. @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** The burn-rate rules' windows in real time, ms. @defaultValue the SRE workbook's 1h/5m and 6h/30m */
  windowsMs?: readonly number[]
  /** The longest a drill's longest scaled window may last, ms. @defaultValue 3_600_000 */
  maxWindowMs?: number
  /** The scenario's SLOs, to check that the target's SLIs can measure them. @defaultValue not checked */
  slos?: readonly { name: string; sli: SliKind }[]
}

/** The workbook's paging windows, the rules `firedrill slo rules` exports by default. */
export const WORKBOOK_WINDOWS_MS: readonly number[] = DEFAULT_BURN_RATE_RULES.flatMap((r) => [
  parseDuration(r.longWindow),
  parseDuration(r.shortWindow),
])

/**
 * Checks everything a drill on the target assumes, against the live service, changing nothing: every instance
 * is reachable, healthy and ready; the SLI source answers with the mapped names (or the PromQL answers); a time
 * scale exists whose windows the scrape interval can see; the flag can be read and written; each dependency's fault
 * proxy answers and reads the fault store firedrill writes, and its degrade switch can be read. The repository a
 * target may name is checked apart (`inspectTargetRepo`, in the drill): it is the loop's, not the service's. One
 * check per line, in a fixed order; none throws.
 */
export async function runTargetPreflight(
  loaded: LoadedTarget,
  options: TargetPreflightOptions = {},
): Promise<TargetCheck[]> {
  const { service, slis } = loaded.target
  const env = options.env ?? process.env
  const instanceChecks = loaded.instances.flatMap((base) => [
    check(`health ${base}${service.health}`, () => expect2xx(`${base}${service.health}`, service.timeoutMs)),
    check(`readiness ${base}${service.readiness}`, () =>
      expect2xx(`${base}${service.readiness}`, service.timeoutMs),
    ),
  ])
  // Health first: the SLI checks then see the requests it made.
  const results = await Promise.all(instanceChecks)
  results.push(...(await Promise.all(sliChecks(loaded))))
  const slos = options.slos
  if (slos !== undefined)
    results.push(
      await check('slos measurable', async () => {
        const names = slos.map((s) => `${s.name} (${s.sli})`).join(', ')
        if (slis.kind === 'prometheus') {
          if (slos.length !== 1)
            throw new Error(
              `the target gives one SLI in PromQL (slis.errors over slis.total); the scenario has ${names}`,
            )
          return `${names} from slis.errors over slis.total`
        }
        const unmeasured = slos.filter((s) => !TARGET_METRICS_SLI_KINDS.includes(s.sli))
        if (unmeasured.length > 0)
          throw new Error(
            `slis.histogram gives ${TARGET_METRICS_SLI_KINDS.join(' and ')} SLIs; it cannot measure ${unmeasured.map((s) => `${s.name} (${s.sli})`).join(', ')}`,
          )
        return `${names} from ${slis.histogram}`
      }),
    )
  results.push(
    await check('time scale', async () => {
      const pick = pickTimeScale({
        scrapeIntervalMs: parseDuration(slis.scrapeInterval),
        windowsMs: options.windowsMs ?? WORKBOOK_WINDOWS_MS,
        ...(options.maxWindowMs === undefined ? {} : { maxWindowMs: options.maxWindowMs }),
      })
      if (!pick.ok) throw new Error(pick.message)
      return pick.summary
    }),
  )
  results.push(...(await Promise.all(flagChecks(loaded, env))))
  results.push(...(await Promise.all(dependencyChecks(loaded, env))))
  const detection = loaded.target.detection
  if (detection?.kind === 'prometheus')
    results.push(
      await check('detector', async () => {
        const url = `${detection.url.replace(/\/+$/, '')}/api/v1/alerts`
        await expect2xx(url, service.timeoutMs)
        return `the team's Prometheus at ${detection.url} lists its alerts`
      }),
    )
  if (detection?.kind === 'alertmanager')
    results.push(
      await check('detector', async () => {
        const { host, port } = pagerListen(detection.listen)
        const free = await new Promise<boolean>((resolve) => {
          const server = createServer()
          server.once('error', () => resolve(false))
          server.listen(port, host, () => server.close(() => resolve(true)))
        })
        if (!free)
          throw new Error(
            `${detection.listen} (detection.listen) is in use: the pager listens there for the team's Alertmanager; free it or pick another port`,
          )
        return `the pager can listen on ${detection.listen} for the team's Alertmanager`
      }),
    )
  return results
}
