import { runKillPattern } from '../../services/worker/testing/kill-pattern.ts'
import {
  KILL_PATTERN_PRESETS,
  type KillPatternPreset,
} from '../../services/worker/testing/kill-pattern-presets.ts'
import { emptyRow, type FaultCase, type FaultRow } from '../fault-case.ts'

/** The bounded version CI runs: a third of the orders and kills. */
const QUICK = { orders: 100, kills: 10 } as const

function workerKills(name: string, preset: KillPatternPreset): FaultCase {
  return {
    name,
    async run({ redisUrl, quick }): Promise<FaultRow> {
      const options = { ...preset, ...(quick ? QUICK : {}), redisUrl }
      const report = await runKillPattern(options)
      return {
        ...emptyRow(
          name,
          `${report.accepted} orders, ${report.killed} SIGKILLs ${options.killGapMs.join('–')} ms apart, lock ${options.lockMs} ms; ${report.paid} paid, ${report.failed} failed${report.paidWithoutCharge > 0 ? `, ${report.paidWithoutCharge} PAID WITHOUT A CHARGE` : ''}`,
        ),
        lostOrders: report.lost + report.pending + report.paidWithoutCharge,
        doubleCharges: report.doubleCharges,
        chargedButFailed: report.chargedButFailed,
        secondsToSafe: report.phasesMs.settle / 1000,
      }
    },
  }
}

/** Worker processes SIGKILLed under the harsh pattern: short locks, stalls, a provider slow to answer. */
export const workerKillsHarsh = workerKills('worker SIGKILLs, harsh pattern', KILL_PATTERN_PRESETS.harsh)
/** The same kills with the worker's default lock and stall settings. */
export const workerKillsDefault = workerKills(
  'worker SIGKILLs, default settings',
  KILL_PATTERN_PRESETS.default,
)
