/** What a health or smoke check answers: a bare boolean, or a verdict with the reason. */
export type CheckOutcome = boolean | { ok: boolean; detail?: string }

/** A check's answer as a verdict with a reason; a check that throws has failed, with its message as the reason. */
export async function runCheck(check: () => Promise<CheckOutcome>): Promise<{ ok: boolean; detail: string }> {
  try {
    const outcome = await check()
    if (typeof outcome === 'boolean') return { ok: outcome, detail: outcome ? 'ok' : 'check failed' }
    return { ok: outcome.ok, detail: outcome.detail ?? (outcome.ok ? 'ok' : 'check failed') }
  } catch (err) {
    return { ok: false, detail: (err as Error).message || 'check threw' }
  }
}
