import type { FlagChange } from './flag-change.ts'
import type { FlagView } from './flags-schemas.ts'
import { readRollout, rolloutTargeting } from './rollout-targeting.ts'

/** True when the flag serves its "off" value to everyone: disabled, or an off default with no targeting. */
export function isFlagOff(flag: FlagView): boolean {
  if (flag.state === 'DISABLED') return true
  const rollout = readRollout(flag.targeting)
  if (rollout !== undefined) return rollout.percent === 0 && flag.variants[rollout.offVariant] === false
  return flag.targeting === undefined && flag.variants[flag.defaultVariant] === false
}

/** The rollout percent the flag serves its "on" value to (0 or 100 without a rollout rule). */
export function flagPercent(flag: FlagView): number {
  if (flag.state === 'DISABLED') return 0
  const rollout = readRollout(flag.targeting)
  if (rollout !== undefined) return rollout.percent
  return flag.variants[flag.defaultVariant] === false ? 0 : 100
}

/** The change that serves "on" to `percent` of customers (by targeting key); 100 and 0 drop the rule. */
export function rolloutChange(percent: number): FlagChange {
  if (percent >= 100) return { state: 'ENABLED', defaultVariant: 'on', targeting: null }
  if (percent <= 0) return OFF
  return { state: 'ENABLED', defaultVariant: 'off', targeting: rolloutTargeting(percent, 'on', 'off') }
}

/** The flag's safe value for everyone. */
export const OFF: FlagChange = { defaultVariant: 'off', targeting: null }
