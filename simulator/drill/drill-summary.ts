import type { JournalEventData } from '../../record/journal/journal-event.ts'
import type { Timings } from '../../record/timings/derive-timings.ts'
import type { SloImpact } from '../../record/timings/slo-impacts.ts'

/** `prevented`: a `--again` run whose bad change the gate refused; the same workload caused no incident. */
/** `crashed`: the drill's process died without finishing; a later run or report closed its journal. */
export type DrillStatus = 'recovered' | 'aborted' | 'crashed' | 'not-recovered' | 'prevented'

/**
 * What `firedrill run --json` prints and `summary.json` holds: a pure function of the run's journal, its
 * scenario and roster (see `reportRun`).
 */
export interface DrillSummary {
  runId: string
  scenario: string
  seed: number
  /** The release flag the bad change shipped behind; null when it shipped unflagged (a rolling release). */
  flag: string | null
  /**
   * A dependency's fault (nothing of ours changed): the degrade switch that mitigates it (the shop's, or the
   * target's for its dependency). Absent for a change of ours, and when the target has none.
   */
  degradeSwitch?: string
  status: DrillStatus
  /** Why the drill was aborted, when it was. */
  abortReason?: string
  /** A drill on a target (`run --target`): its name, and who detected (firedrill's evaluator or its Alertmanager). */
  target?: { name: string; detector: 'firedrill' | 'alertmanager' | 'prometheus' }
  timings: Pick<
    Timings,
    | 'releasedAt'
    | 'firstErrorAt'
    | 'detectedAt'
    | 'acknowledgedAt'
    | 'mitigatedAt'
    | 'recoveredAt'
    | 'mttdMs'
    | 'mttaMs'
    | 'mttmMs'
    | 'mttrMs'
    | 'mttrFromFirstErrorMs'
  >
  impact: { requests: number; failedRequests: number; errorRatio: number; errorBudgetConsumedPct: number }
  /** Each SLO detection watched, with its events over the drill (an SLO's bad events may be no failed request). */
  slos: SloImpact[]
  postmortem: { markdown: string; json: string; actionItems: number }
  /** The fix merged through the gate, every action item holds, and the replayed bad change was blocked. */
  loopClosed: boolean
  /** The release flag completed, its code path removed by a cleanup change through the gate, and archived. */
  flagClosedOut: boolean
  /** Why the loop was not run when the run turned its follow-up off (`--skip-follow-up`); absent otherwise. */
  loopSkipped?: string
  /** The verifier's verdict from the journal (null when the loop never ran). */
  verify: JournalEventData['verify.finished'] | null
  journal: string
}
