import type { Clock } from '../../record/clock/clock.ts'
import type { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import type { DrillJournal } from './drill-journal.ts'
import type { DrillPaging } from './drill-paging.ts'
import { waitForFlagOff } from './drill-safety.ts'
import { flagPercent, rolloutChange } from './flag-state.ts'

/** One canary step: the flag on for `percent` of customers, through the flag service, journalled. */
export async function releaseStep(options: {
  flags: FlagsHttpClient
  flag: string
  step: number
  percent: number
  holdSeconds: number
  journal: DrillJournal
}): Promise<void> {
  const { flags, flag, step, percent, journal } = options
  const reason = `canary step ${step}: ${percent}%`
  const before = (await flags.list()).flags.find((f) => f.key === flag)
  const answer = await flags.set(flag, rolloutChange(percent), reason)
  await journal.append({
    type: 'flag.changed',
    data: {
      key: flag,
      from: before?.summary ?? null,
      to: answer.definition.summary,
      percent,
      actor: 'release-train',
      reason,
    },
  })
  await journal.append({
    type: 'release.step',
    data: { flag, step, percent, holdSeconds: options.holdSeconds },
  })
}

/**
 * Waits until the flag serves off to everyone, whoever turned it off, and journals the mitigation with the
 * actor and reason from the audit log (and the acknowledgement, if the responder never gave one).
 */
export async function observeMitigation(options: {
  flags: FlagsHttpClient
  flag: string
  alert: string
  paging: DrillPaging
  journal: DrillJournal
  clock: Clock
  signal: AbortSignal
}): Promise<string> {
  const { flags, flag, journal } = options
  const off = await waitForFlagOff(flags, flag, options.clock, options.signal)
  const audit = (await flags.audit(20)).find((e) => e.flag === flag)
  const by = audit?.actor ?? 'unknown'
  const reason = audit?.reason ?? ''
  if (!options.paging.acknowledged()) await options.paging.acknowledge(by, options.alert)
  await journal.append({
    type: 'flag.changed',
    data: {
      key: flag,
      from: audit?.from ?? null,
      to: off.summary,
      percent: flagPercent(off),
      actor: by,
      reason,
    },
  })
  await journal.append({ type: 'mitigation.applied', data: { action: 'flag off', flag, by, reason } })
  return by
}
