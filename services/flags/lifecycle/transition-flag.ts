import { FLAG_LIFECYCLES, type FlagLifecycle, type FlagsDocument } from '../flag-definition.ts'
import { FlagNotFoundError, FlagStillReferencedError, FlagTransitionInvalidError } from '../flags-errors.ts'

/** The one stage each stage moves on to. */
const NEXT_STAGE: Readonly<Partial<Record<FlagLifecycle, FlagLifecycle>>> = {
  active: 'completed',
  completed: 'archived',
}

export interface TransitionFlagOptions {
  /** Flag key → the source files that refer to it (from `findCodeReferences`). */
  codeRefs: ReadonlyMap<string, readonly string[]>
}

export function isFlagLifecycle(value: string): value is FlagLifecycle {
  return (FLAG_LIFECYCLES as readonly string[]).includes(value)
}

/**
 * Moves flag `key` one stage on (active → completed → archived) and returns the new document; `document`
 * is left as it was. Throws `FlagNotFoundError` for an unknown key, `FlagTransitionInvalidError` for a
 * backward, skipping or standing-still move, and `FlagStillReferencedError` when archiving a flag that code
 * still refers to.
 */
export function transitionFlag(
  document: FlagsDocument,
  key: string,
  to: FlagLifecycle,
  options: TransitionFlagOptions,
): FlagsDocument {
  const flag = Object.hasOwn(document.flags, key) ? document.flags[key] : undefined
  if (flag === undefined) throw new FlagNotFoundError(key, Object.keys(document.flags))
  const from = flag.metadata.lifecycle
  const next = NEXT_STAGE[from]
  if (next !== to) throw new FlagTransitionInvalidError(key, from, to, next)
  const refs = options.codeRefs.get(key) ?? []
  if (to === 'archived' && refs.length > 0) throw new FlagStillReferencedError(key, refs)
  return {
    ...document,
    flags: { ...document.flags, [key]: { ...flag, metadata: { ...flag.metadata, lifecycle: to } } },
  }
}
