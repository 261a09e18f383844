import type { KillPatternOptions } from './kill-pattern.ts'

export type KillPatternPreset = Omit<KillPatternOptions, 'redisUrl'>

/**
 * The patterns the fault suite runs. `harsh`: 30 SIGKILLs 0.3–1 s apart, a 1 s lock checked for stalls every
 * 0.5 s, and a provider that answers 1.5 s after it charged, so kills land between a charge and its answer
 * and jobs stall more than once. `default`: the same kills with the worker's default lock and stall settings.
 */
export const KILL_PATTERN_PRESETS = {
  harsh: {
    orders: 300,
    kills: 30,
    killGapMs: [300, 1000],
    lockMs: 1000,
    stalledMs: 500,
    providerDelayMs: 1500,
    seed: 1,
    settleTimeoutMs: 90_000,
  },
  default: {
    orders: 300,
    kills: 30,
    killGapMs: [300, 1000],
    lockMs: 30_000,
    stalledMs: 30_000,
    providerDelayMs: 1500,
    seed: 1,
    settleTimeoutMs: 180_000,
  },
} as const satisfies Record<string, KillPatternPreset>
