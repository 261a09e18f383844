import { DetectionOptionsInvalidError } from './errors.ts'

export interface RecoveryWatchOptions {
  /** An error ratio at or above this is not recovered (e.g. the SLO's error budget, 1 - objective). */
  threshold: number
  /** How many evaluations in a row must stay under the threshold. */
  consecutive: number
}

export interface RecoveryState {
  recovered: boolean
  /** Evaluations in a row under the threshold, up to now. */
  streak: number
  /** The first evaluation of the current healthy streak. */
  healthySince: number | null
  /** The first time the streak reached `consecutive` (kept once reached, even if the ratio rises again). */
  recoveredAt: number | null
}

export interface RecoveryWatch {
  /** Feeds one evaluation's short-window error ratio; null (no data) breaks the streak: no evidence, no recovery. */
  observe(errorRatio: number | null, at: number): RecoveryState
  state(): RecoveryState
}

/** Says when the SLI stayed under a threshold for N consecutive evaluations: the drill's "recovered". */
export function createRecoveryWatch(options: RecoveryWatchOptions): RecoveryWatch {
  const { threshold, consecutive } = options
  if (!(threshold > 0 && threshold <= 1))
    throw new DetectionOptionsInvalidError('recovery threshold', `must be in (0, 1] (got ${threshold})`)
  if (!(Number.isInteger(consecutive) && consecutive >= 1))
    throw new DetectionOptionsInvalidError(
      'recovery consecutive',
      `must be a positive integer (got ${consecutive})`,
    )
  let state: RecoveryState = { recovered: false, streak: 0, healthySince: null, recoveredAt: null }
  return {
    observe(errorRatio, at) {
      const healthy = errorRatio !== null && errorRatio < threshold
      const streak = healthy ? state.streak + 1 : 0
      const recovered = streak >= consecutive
      state = {
        recovered,
        streak,
        healthySince: healthy ? (state.healthySince ?? at) : null,
        recoveredAt: state.recoveredAt ?? (recovered ? at : null),
      }
      return state
    },
    state: () => state,
  }
}
