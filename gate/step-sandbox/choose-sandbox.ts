import { SandboxUnavailableError } from '../gate-errors.ts'
import { probeBubblewrap } from './probe-bubblewrap.ts'
import { SANDBOX_ON_DETAIL, type SandboxMode, type SandboxState } from './sandbox-state.ts'

const UNSANDBOXED = 'steps ran with a scrubbed environment only, and can read whatever this user can'

/**
 * The sandbox for one gate run. `off` and a machine without working bubblewrap run the steps unsandboxed (and
 * say why) unless trunk's gate file says `sandbox: required`; `on` insists. Errors are input errors (exit 2):
 * nothing ran.
 */
export async function chooseSandbox(
  mode: SandboxMode,
  trunkPolicy: 'auto' | 'required',
  bubblewrap: string | undefined,
  path: string | undefined,
): Promise<{ state: SandboxState; bwrap?: string }> {
  const required = "Trunk's gate file (sandbox: required)"
  if (mode === 'off') {
    if (trunkPolicy === 'required')
      throw new SandboxUnavailableError(required, 'it was turned off for this run')
    return { state: { kind: 'off', detail: `off: turned off for this run; ${UNSANDBOXED}` } }
  }
  const probe = await probeBubblewrap(bubblewrap, path)
  if (probe.ok) return { state: { kind: 'bubblewrap', detail: SANDBOX_ON_DETAIL }, bwrap: probe.path }
  if (mode === 'on') throw new SandboxUnavailableError('This run (--sandbox on)', probe.reason)
  if (trunkPolicy === 'required') throw new SandboxUnavailableError(required, probe.reason)
  return { state: { kind: 'off', detail: `off: ${probe.reason}; ${UNSANDBOXED}` } }
}
