import { describeProxyFault, type ProxyFaultWords } from '../../../record/target/describe-proxy-fault.ts'
import { httpProbe } from '../../target/http-probe.ts'
import type { TargetFlagControl } from '../../target/target-flag-control.ts'
import type { Page } from '../pager.ts'
import type { Diagnosis, SeenDependency } from './diagnose.ts'
import type { Responder } from './responder.ts'

/** How long the bot waits for the proxy's health page. */
const READ_TIMEOUT_MS = 2000

/**
 * The on-call bot on a target whose dependency fails: acknowledges after its delay, reads what an on-call
 * engineer can see of the dependency (its fault proxy's `/-/health`, the team's dashboard for it) and the drill's
 * flag changes (none: nothing of the team's was released), and journals its diagnosis. With the team's degrade
 * switch it turns that on through the target's flag source; without one it escalates: the team has no lever.
 */
export function dependencyBotResponder(options: {
  dependency: string
  proxyUrl: string
  /** The degrade switch's control, when the team has one. */
  degradeSwitch?: TargetFlagControl
  ackDelayMs: number
  turnedOn(change: { from: number | null; reason: string; actor: string }): Promise<unknown>
}): Responder {
  const name = 'responder-bot'
  const { dependency, degradeSwitch } = options
  return {
    kind: 'bot',
    name,
    async respond(page: Page, context) {
      await context.clock.sleep(options.ackDelayMs, context.signal)
      await context.acknowledge(name)
      const seen = await readDependency(dependency, options.proxyUrl)
      const failing = seen.fault !== describeProxyFault(null)
      const evidence: Diagnosis['evidence'] = {
        alerts: [page.alert],
        slos: page.slos,
        alertStartedAt: page.startsAt,
        flagChanges: [],
        deploys: [],
        dependency: seen,
      }
      const cause = failing
        ? `${page.alert} burning since before ${page.startsAt}, and ${dependency} ${seen.fault} (its proxy's health page)`
        : `${page.alert} burning since before ${page.startsAt}, and ${dependency} looks healthy`
      const diagnosis: Diagnosis =
        failing && degradeSwitch !== undefined
          ? {
              evidence,
              setAside: [],
              hypothesis: `${cause}: the cause is external (${dependency}), not a change of ours; the degrade switch ${degradeSwitch.flag} stops calling it`,
              action: { kind: 'degrade', flag: degradeSwitch.flag },
            }
          : {
              evidence,
              setAside: [],
              hypothesis: failing
                ? `${cause}: the cause is external (${dependency}), and the team has no degrade switch for it; nothing of ours to turn off`
                : `${cause}: no flag changed and no dependency fails that it can see`,
              action: { kind: 'escalate' },
            }
      await context.diagnosed(name, diagnosis)
      if (diagnosis.action.kind !== 'degrade' || degradeSwitch === undefined) {
        context.say(`${name}: ${diagnosis.hypothesis}; escalating`)
        return
      }
      const reason = `${page.alert} paged: ${dependency} fails; degrading without it`
      context.say(`${name}: turning the degrade switch ${degradeSwitch.flag} on (${dependency} fails)`)
      const from = await degradeSwitch.percent().catch(() => null)
      await degradeSwitch.turnOn(reason, name)
      await options.turnedOn({ from, reason, actor: name })
    },
  }
}

/** The dependency's proxy health page, read as anyone can; a proxy that does not answer is said so. */
async function readDependency(name: string, proxyUrl: string): Promise<SeenDependency> {
  try {
    const { status, body } = await httpProbe(`${proxyUrl}/-/health`, READ_TIMEOUT_MS)
    const health = JSON.parse(body) as {
      fault?: ProxyFaultWords | null
      lastChange?: { at?: number } | null
    }
    if (status !== 200 || health.fault === undefined)
      return { name, proxy: proxyUrl, fault: `cannot be read (its proxy answered ${status})`, since: null }
    const at = health.fault === null ? undefined : health.lastChange?.at
    return {
      name,
      proxy: proxyUrl,
      fault: describeProxyFault(health.fault),
      since: at === undefined ? null : new Date(at).toISOString(),
    }
  } catch (err) {
    return { name, proxy: proxyUrl, fault: `cannot be read (${(err as Error).message})`, since: null }
  }
}
