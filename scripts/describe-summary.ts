import { humanizeMs } from '../record/timings/humanize-ms.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'

const ms = (x: number | null) => (x === null ? 'n/a' : humanizeMs(x))

/**
 * A run's summary for people, as `firedrill run` and `firedrill report` print it: status, the four timings,
 * impact, whether the loop closed and the flag was closed out, and where the files are.
 */
export function describeSummary(s: DrillSummary, files: { summary?: string } = {}): string[] {
  const t = s.timings
  return [
    `run        ${s.runId} (scenario ${s.scenario}, seed ${s.seed})`,
    `status     ${s.status}${s.abortReason ? ` (${s.abortReason})` : ''}`,
    ...(s.target === undefined
      ? []
      : [`target     ${s.target.name}, detected by ${DETECTORS[s.target.detector]}`]),
    `MTTD       ${ms(t.mttdMs)}   release → alert`,
    `MTTA       ${ms(t.mttaMs)}   alert → acknowledged`,
    `MTTM       ${ms(t.mttmMs)}   alert → mitigated`,
    `MTTR       ${ms(t.mttrMs)}   release → recovered (${ms(t.mttrFromFirstErrorMs)} from the first failed request)`,
    `impact     ${s.impact.failedRequests} of ${s.impact.requests} requests failed (${(s.impact.errorRatio * 100).toFixed(2)}%); ${s.impact.errorBudgetConsumedPct.toFixed(2)}% of the error budget`,
    // What no failed request shows: orders accepted and never paid, requests answered too slowly.
    ...s.slos
      .filter((i) => i.sli !== 'availability' && i.bad > 0)
      .map(
        (i) =>
          `           SLO ${i.slo}: ${i.bad} of ${i.total} bad (${((i.bad / Math.max(1, i.total)) * 100).toFixed(2)}%), ${i.description}`,
      ),
    `loop       ${loopLine(s)}`,
    `flag       ${flagLine(s)}`,
    `postmortem ${s.postmortem.markdown} (${s.postmortem.actionItems} action item${s.postmortem.actionItems === 1 ? '' : 's'})`,
    ...(files.summary === undefined ? [] : [`summary    ${files.summary}`]),
    `journal    ${s.journal}`,
  ]
}

const DETECTORS = {
  firedrill: "firedrill's burn-rate alerts",
  alertmanager: "the team's Alertmanager",
  prometheus: "the team's Prometheus alerts",
} as const

function flagLine(s: DrillSummary): string {
  if (s.target !== undefined && s.flag !== null)
    return `${s.flag} back to off, as before the drill (closing it out is the team's, in its own repository)`
  if (s.degradeSwitch !== undefined)
    return `no release flag (no change of ours); the degrade switch is ${s.degradeSwitch}${s.target === undefined ? '' : ', back to off as before the drill'}`
  if (s.target !== undefined && s.flag === null)
    return "no release flag (no change of ours: a dependency's fault); the team has no degrade switch for it"
  if (s.flag === null) return 'none: the change shipped without a flag, released by a rolling deploy'
  if (s.flagClosedOut)
    return `${s.flag} closed out: completed, its code path removed through the gate, archived`
  if (s.status === 'prevented')
    return `${s.flag} left as trunk has it (the change never reached production, nothing to close out)`
  if (s.loopSkipped !== undefined) return `${s.flag} left active on trunk: the follow-up was turned off`
  return `${s.flag} NOT closed out: still active on trunk (see the postmortem's Flags section)`
}

function loopLine(s: DrillSummary): string {
  // A target's loop runs only on the repository its target names; the postmortem says why when it did not.
  if (s.target !== undefined && s.verify === null)
    return "not closed here: the postmortem says why (the target names no repo or fix, or the fix's gate was red)"
  if (s.status === 'prevented' && s.verify === null)
    return s.degradeSwitch !== undefined
      ? 'not needed: the shop degraded by itself while the provider failed, so no incident happened'
      : 'not needed: the change was stopped before production, so no incident happened'
  if (s.loopSkipped !== undefined) return `not run: ${s.loopSkipped}`
  if (s.verify === null) return 'not closed (the follow-up did not run)'
  const items = s.verify.items.map((i) => `${i.id} ${i.status}${i.holds ? '' : ' (falls short)'}`).join(', ')
  const replay =
    s.verify.loop.replay === 'not-applicable'
      ? 'no change of ours to replay (run --again replays the provider fault)'
      : s.verify.loop.holds
        ? `the replayed bad change is blocked by ${s.verify.loop.blockedBy.join(', ')}`
        : 'the replayed bad change is NOT blocked'
  return `${s.loopClosed ? 'closed' : 'NOT closed'}: ${items}; ${replay}`
}
