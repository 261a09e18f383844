import { eventsOf, type JournalEvent } from '../../record/journal/journal-event.ts'
import { type JunitCase, type JunitSuite, junitXml } from '../../record/junit/junit-xml.ts'
import { humanizeMs } from '../../record/timings/humanize-ms.ts'
import type { DrillSummary } from './drill-summary.ts'

/** What a drill, run as a check, is expected to end as. */
export interface DrillExpectations {
  /**
   * The gate must refuse the bad change (`prevented`): a `--again` run of a closed loop, or a scenario whose change
   * names the gate step that stops it (`change.stoppedBy`).
   */
  prevented: boolean
  /**
   * The loop must close (fix merged, items hold, replay blocked): every run but a `--again` one, except a
   * prevented run whose scenario has no fix to merge.
   */
  loop: boolean
  /** A `--again` run. */
  again: boolean
  /** The scenario has a cleanup patch, so its release flag must be closed out. */
  closeOut: boolean
}

const ms = (from: string | undefined, to: string | undefined) =>
  from === undefined || to === undefined ? 0 : Math.max(0, Date.parse(to) - Date.parse(from))

/**
 * A finished run as checks, from its journal and summary only (so `report` gives the same answer later): one
 * suite per phase the drill entered, holding the exit checks the drill journalled in it (a phase the drill was
 * aborted in fails with the reason); then the incident's outcome (the change reached production through the gate,
 * detected, paged and acknowledged, mitigated, recovered) and the loop (the fix merged through the gate, each
 * action item holds, the replayed bad change blocked, the flag closed out). A `--again` run, or a scenario whose
 * change the gate must stop, expects the gate to refuse the change instead; the incident and loop checks are then
 * skipped, not passed. A run passes when no case fails: the same rule as `firedrill run`'s exit code.
 */
export function drillChecks(
  events: readonly JournalEvent[],
  summary: DrillSummary,
  expect: DrillExpectations,
): JunitSuite[] {
  const suites: JunitSuite[] = []
  const started = events[0]?.at
  const classname = `firedrill.drill.${summary.scenario}`

  // The phases, each with the checks journalled while it ran.
  let current: { name: string; at: string; last: string; cases: JunitCase[] } | undefined
  const close = (until: string | undefined) => {
    if (current === undefined || current.cases.length === 0) return
    suites.push({
      name: `phase ${current.name}`,
      timestamp: current.at,
      timeMs: ms(current.at, until ?? events.at(-1)?.at),
      cases: current.cases,
    })
  }
  let abortSeen = false
  for (const e of events) {
    if (e.type === 'phase.entered') {
      close(e.at)
      current = { name: e.data.phase, at: e.at, last: e.at, cases: [] }
    } else if (e.type === 'check.passed' || e.type === 'check.failed') {
      current ??= { name: 'preflight', at: started ?? e.at, last: started ?? e.at, cases: [] }
      current.cases.push({
        classname: `${classname}.${current.name}`,
        name: e.data.name,
        timeMs: ms(current.last, e.at),
        status: e.type === 'check.passed' ? 'passed' : 'failed',
        ...(e.type === 'check.failed' ? { message: e.data.message } : {}),
        body: JSON.stringify(e.data.evidence, null, 2),
      })
      current.last = e.at
    } else if (e.type === 'drill.aborted' && !abortSeen) {
      abortSeen = true
      current ??= { name: 'preflight', at: started ?? e.at, last: started ?? e.at, cases: [] }
      current.cases.push({
        classname: `${classname}.${current.name}`,
        name: `${current.name} ran to its end`,
        timeMs: ms(current.at, e.at),
        status: 'failed',
        message: `aborted (${e.data.condition ?? 'error'}): ${e.data.reason}`,
        type: 'aborted',
      })
    }
  }
  close(undefined)

  suites.push(
    expect.prevented ? preventedSuite(events, summary, classname) : incidentSuite(events, summary, classname),
  )
  suites.push(loopSuite(events, summary, classname, expect))
  return suites
}

type Verdict = { ok: boolean; message: string; atMs?: number }

function verdictCase(classname: string, name: string, v: Verdict | 'skip', skipWhy = ''): JunitCase {
  if (v === 'skip') return { classname, name, timeMs: 0, status: 'skipped', message: skipWhy }
  return {
    classname,
    name,
    timeMs: v.atMs ?? 0,
    status: v.ok ? 'passed' : 'failed',
    ...(v.ok ? {} : { message: v.message, type: 'check' }),
    body: v.message,
  }
}

function preventedSuite(
  events: readonly JournalEvent[],
  summary: DrillSummary,
  classname: string,
): JunitSuite {
  const refused = eventsOf(events, 'change.refused')[0]
  const deployRefused = eventsOf(events, 'deploy.refused')[0]
  const rolledBack = eventsOf(events, 'deploy.rolled-back')[0]
  const watched = eventsOf(events, 'deploy.watch.breached')[0]
  const c0 = `${classname}.outcome`
  if (
    watched !== undefined &&
    refused === undefined &&
    deployRefused === undefined &&
    rolledBack === undefined
  ) {
    // The post-deploy watch: the change reached users for its window, and production went back before a page.
    const back = eventsOf(events, 'deploy.watch.rolled-back')[0]
    const paged = eventsOf(events, 'page.sent')[0]
    return {
      name: 'outcome',
      cases: [
        verdictCase(c0, 'the post-deploy watch catches the bad change before a page', {
          ok: paged === undefined || Date.parse(paged.at) >= Date.parse(watched.at),
          message: `${watched.data.breaches.join(' and ')} breached ${humanizeMs(watched.data.sinceCompletedMs)} after the deploy completed${paged === undefined ? '' : `; paged later (${paged.data.alert})`}`,
        }),
        verdictCase(c0, 'production is back on the build before the change', {
          ok: summary.status === 'prevented' && back !== undefined,
          message:
            back === undefined
              ? `status ${summary.status}: production never answered from the build before`
              : `every live instance on ${back.data.to.slice(0, 12)} ${humanizeMs(back.data.backMs)} after the breach`,
        }),
      ],
    }
  }
  // Staging may run the change (production's deploy verification stops it); production must not.
  const deployed = eventsOf(events, 'change.deployed').find(
    (e) => e.data.changes === undefined && e.data.environment !== 'staging',
  )
  const c = `${classname}.outcome`
  if (eventsOf(events, 'drill.started')[0]?.data.strategy === 'provider-fault') {
    // A dependency's fault replayed on the fixed trunk: the shop must ride it out with nobody paged.
    const paged = eventsOf(events, 'page.sent')[0]
    const faulted = eventsOf(events, 'release.step').find((e) => e.data.provider !== undefined)
    return {
      name: 'outcome',
      cases: [
        verdictCase(c, "the provider's fault is replayed", {
          ok: faulted !== undefined,
          message:
            faulted === undefined
              ? "the provider's fault was never released"
              : `the provider ${faulted.data.provider}`,
        }),
        verdictCase(c, 'the shop rides it out with nobody paged', {
          ok: summary.status === 'prevented' && paged === undefined,
          message:
            paged !== undefined
              ? `paged ${paged.data.to} (${paged.data.alert})`
              : `status ${summary.status}${summary.abortReason === undefined ? '' : ` (${summary.abortReason})`}`,
        }),
      ],
    }
  }
  return {
    name: 'outcome',
    cases: [
      verdictCase(c, 'the bad change is stopped before production', {
        ok: refused !== undefined || deployRefused !== undefined || rolledBack !== undefined,
        message:
          refused !== undefined
            ? `the gate refused it (${refused.data.blockedBy.join(', ')}) at ${refused.data.commit.slice(0, 12)}`
            : deployRefused !== undefined
              ? `${deployRefused.data.environment}'s deploy verification refused ${deployRefused.data.contentHash.slice(0, 12)} (verified: ${deployRefused.data.verifiedContentHash.slice(0, 12)})`
              : rolledBack !== undefined
                ? `${rolledBack.data.environment}'s rolling deploy rolled itself back: the ${rolledBack.data.check} check failed`
                : 'neither the gate nor deploy verification refused the bad change',
      }),
      verdictCase(c, 'nothing of the bad change reaches production', {
        ok: summary.status === 'prevented' && deployed === undefined,
        message:
          summary.status === 'prevented'
            ? 'status prevented: nothing deployed'
            : `status ${summary.status}${deployed === undefined ? '' : `, deployed ${deployed.data.commit.slice(0, 12)}`}`,
      }),
    ],
  }
}

function incidentSuite(
  events: readonly JournalEvent[],
  summary: DrillSummary,
  classname: string,
): JunitSuite {
  const t = summary.timings
  const merged = eventsOf(events, 'change.merged')[0]
  const deployed = eventsOf(events, 'change.deployed').find((e) => e.data.environment !== 'staging')
  const fired = eventsOf(events, 'alert.fired')[0]
  // On a target, the team's own alerting may be the detector: its first notification that paged.
  const received = eventsOf(events, 'alert.received').find((e) => e.data.outcome === 'paged')
  const onTarget = eventsOf(events, 'drill.started')[0]?.data.target !== undefined
  const dark = eventsOf(events, 'check.passed').find((e) => e.data.name === 'change is dark')
  const healthy = eventsOf(events, 'check.passed').find((e) => e.data.name === 'dependency healthy')
  const paged = eventsOf(events, 'page.sent')[0]
  const acked = eventsOf(events, 'page.acknowledged')[0]
  const mitigation = eventsOf(events, 'mitigation.applied')[0]
  // An unflagged change (rolling, blue-green or instance-canary) reaches production live: its deploy, or the
  // switch to it, is its release.
  const strategy = eventsOf(events, 'drill.started')[0]?.data.strategy
  const unflagged = strategy === 'rolling' || strategy === 'blue-green' || strategy === 'instance-canary'
  // A dependency's fault: nothing of ours is released; the provider's fault is.
  const external = strategy === 'provider-fault'
  const c = `${classname}.incident`
  const timing = (label: string, value: number | null) =>
    value === null ? '' : ` (${label} ${humanizeMs(value)})`
  return {
    name: 'incident',
    cases: [
      external
        ? verdictCase(c, 'nothing of ours changes: the cause is a dependency', {
            ok: merged === undefined && deployed === undefined,
            message:
              merged === undefined && deployed === undefined
                ? 'no change merged or deployed'
                : `a change of ours ${merged === undefined ? 'was deployed' : `merged as ${merged.data.trunk.slice(0, 12)}`}`,
          })
        : onTarget && strategy === 'dependency-fault'
          ? verdictCase(c, "the dependency is healthy before its fault, and nothing of the team's changes", {
              ok: healthy !== undefined && merged === undefined,
              message:
                healthy === undefined
                  ? 'the dependency was not found healthy before the drill'
                  : `${String(healthy.data.evidence.dependency)}'s proxy passed every call on`,
            })
          : onTarget
            ? verdictCase(c, "the team's change is dark before the release", {
                ok: dark !== undefined,
                message:
                  dark === undefined ? 'the flag was not found serving off' : `${summary.flag} served off`,
              })
            : verdictCase(
                c,
                unflagged
                  ? 'the change reaches production through the gate'
                  : 'the change reaches production dark, through the gate',
                {
                  ok: merged !== undefined && deployed !== undefined && deployed.data.dark === !unflagged,
                  message:
                    merged === undefined
                      ? 'the change never merged (see the deploy phase)'
                      : deployed === undefined
                        ? `merged as ${merged.data.trunk.slice(0, 12)} but never deployed`
                        : `merged as ${merged.data.trunk.slice(0, 12)}, deployed ${deployed.data.dark ? 'dark' : 'NOT dark'}`,
                },
              ),
      verdictCase(c, 'the damage is detected by an SLO burn-rate alert', {
        ok: fired !== undefined || (onTarget && received !== undefined),
        message:
          fired !== undefined
            ? `${fired.data.alert}${fired.data.slo === undefined ? '' : ` on ${fired.data.slo}`}${timing('MTTD', t.mttdMs)}`
            : onTarget && received !== undefined
              ? `${received.data.alerts.map((a) => a.alert).join(', ')}, from the team's alerting${timing('MTTD', t.mttdMs)}`
              : 'no alert fired',
        atMs: t.mttdMs ?? 0,
      }),
      verdictCase(c, 'the responder is paged and acknowledges', {
        ok: paged !== undefined && acked !== undefined,
        message:
          paged === undefined
            ? 'no page was sent'
            : acked === undefined
              ? `paged ${paged.data.to}, never acknowledged`
              : `paged ${paged.data.to}, acknowledged by ${acked.data.by}${timing('MTTA', t.mttaMs)}`,
        atMs: t.mttaMs ?? 0,
      }),
      verdictCase(c, 'the responder mitigates', {
        ok: mitigation !== undefined,
        message:
          mitigation === undefined
            ? 'no mitigation was applied'
            : `${mitigation.data.action}${mitigation.data.flag === undefined ? '' : ` ${mitigation.data.flag}`} by ${mitigation.data.by}${timing('MTTM', t.mttmMs)}`,
        atMs: t.mttmMs ?? 0,
      }),
      verdictCase(c, 'the service recovers', {
        ok: summary.status === 'recovered',
        message: `status ${summary.status}${summary.abortReason === undefined ? '' : ` (${summary.abortReason})`}${timing('MTTR', t.mttrMs)}`,
        atMs: t.mttrMs ?? 0,
      }),
    ],
  }
}

function loopSuite(
  events: readonly JournalEvent[],
  summary: DrillSummary,
  classname: string,
  expect: DrillExpectations,
): JunitSuite {
  const c = `${classname}.loop`
  const name = 'loop'
  if (!expect.loop) {
    const onTarget = eventsOf(events, 'drill.started')[0]?.data.target !== undefined
    const turnedOff = eventsOf(events, 'loop.not-run').find((e) => e.data.turnedOff === true)
    const why =
      turnedOff !== undefined
        ? turnedOff.data.reason
        : onTarget
          ? "a target's follow-up is its team's: firedrill runs no fix through a gate there"
          : expect.prevented && !expect.again
            ? 'a prevented run with no fix to merge has no loop to close'
            : 'a --again run repeats a loop that closed before'
    return { name, cases: [verdictCase(c, 'the loop closes', 'skip', why)] }
  }
  const fixes = eventsOf(events, 'fix.merged')
  const verify = summary.verify
  const cleanup = eventsOf(events, 'cleanup.merged')[0]
  const cases: JunitCase[] = [
    verdictCase(c, 'the fix merges through the gate', {
      ok: fixes.length > 0 && fixes.every((f) => f.data.gate.green),
      message:
        fixes.length === 0
          ? 'no fix merged (the follow-up did not run or the gate refused it)'
          : fixes
              .map((f) => `${f.data.actionItem} merged as ${f.data.trunk.slice(0, 12)} on a green gate`)
              .join('; '),
    }),
    ...(verify === null
      ? [verdictCase(c, 'every action item holds', { ok: false, message: 'verify never ran' })]
      : verify.items.map((i) =>
          verdictCase(c, `action item ${i.id} holds`, {
            ok: i.holds,
            message: i.holds ? `${i.id} ${i.status}` : `${i.id} ${i.status}: ${i.reasons.join('; ')}`,
          }),
        )),
    verify?.loop.replay === 'not-applicable'
      ? verdictCase(
          c,
          'the replayed bad change is blocked by the gate',
          'skip',
          "no change of ours to replay: a dependency's fault is replayed by a run with --again",
        )
      : verdictCase(c, 'the replayed bad change is blocked by the gate', {
          ok: verify?.loop.holds ?? false,
          message:
            verify === null
              ? 'verify never ran'
              : verify.loop.holds
                ? `blocked by ${verify.loop.blockedBy.join(', ')}`
                : 'the replayed bad change passed the gate',
        }),
    expect.closeOut
      ? verdictCase(c, `the release flag ${summary.flag} is closed out`, {
          ok: summary.flagClosedOut,
          message: summary.flagClosedOut
            ? `completed, code path removed and archived, merged as ${cleanup?.data.trunk.slice(0, 12) ?? '?'}`
            : `${summary.flag} is still active on trunk`,
        })
      : verdictCase(
          c,
          summary.flag === null
            ? 'the release flag is closed out'
            : `the release flag ${summary.flag} is closed out`,
          'skip',
          summary.degradeSwitch !== undefined
            ? 'no release flag: no change of ours was released'
            : summary.flag === null
              ? 'the change shipped without a flag'
              : 'the scenario has no cleanup patch',
        ),
  ]
  return { name, cases }
}

/** A run's checks as JUnit XML, named after the run. */
export function drillJunitXml(summary: DrillSummary, checks: readonly JunitSuite[]): string {
  const total = checks.reduce((sum, s) => sum + (s.timeMs ?? 0), 0)
  return junitXml(`firedrill drill ${summary.scenario} ${summary.runId}`, checks, total)
}
