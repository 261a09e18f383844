/** One preflight check on a target: what was checked, whether it holds, and the evidence or the fix. */
export interface TargetCheck {
  /** `health http://127.0.0.1:3000/healthz`, `flag writable`, … */
  name: string
  ok: boolean
  /** What was found (`200`), or why it failed and what to do. */
  detail: string
}

/** Runs `probe`; its resolved text is the evidence, an error's message is the failure. Never throws. */
export async function check(name: string, probe: () => Promise<string>): Promise<TargetCheck> {
  try {
    return { name, ok: true, detail: await probe() }
  } catch (err) {
    return { name, ok: false, detail: err instanceof Error ? err.message : String(err) }
  }
}
