/**
 * How the gate runs steps that execute the commit's code. `auto`: in the bubblewrap sandbox where the machine
 * allows it, else with a scrubbed environment only; `on`: the sandbox or an error; `off`: never sandboxed.
 */
export type SandboxMode = 'auto' | 'on' | 'off'

export const SANDBOX_MODES: readonly SandboxMode[] = ['auto', 'on', 'off']

/** What this gate run actually did, said plainly in its result and its record. */
export interface SandboxState {
  kind: 'bubblewrap' | 'off'
  /** One line: what the sandbox holds the steps to, or why there is none. */
  detail: string
}

export const SANDBOX_ON_DETAIL =
  'bubblewrap: steps see only their own copy of the commit and read-only system files, no network, no other processes, no signing key'
