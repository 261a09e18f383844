import { git } from '../../record/git/git.ts'
import { GitFailedError, RefUnknownError, TrunkUnknownError } from '../gate-errors.ts'
import { GATE_FILE_NAME } from './gate-file-schema.ts'
import { parseGateFile } from './parse-gate-file.ts'

/** Where trunk is looked up when no one names it. */
export const DEFAULT_TRUNK = 'main'

/**
 * The trunk that judges changes: `given` (`--trunk`) when set; else the branch the gate file on `main` names
 * (`trunk:`, default `main`). Never a branch's own gate file: a change could name itself trunk. A repository
 * without `main` must name its trunk.
 */
export async function resolveTrunk(top: string, given?: string): Promise<string> {
  if (given !== undefined) {
    await git(top, ['rev-parse', '--verify', '--quiet', `${given}^{commit}`]).catch((err) => {
      throw new RefUnknownError(given, top, err)
    })
    return given
  }
  const exists = await git(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${DEFAULT_TRUNK}`]).then(
    () => true,
    () => false,
  )
  if (!exists) throw new TrunkUnknownError(top, `there is no branch "${DEFAULT_TRUNK}"`)
  let text: string
  try {
    text = await git(top, ['show', `refs/heads/${DEFAULT_TRUNK}:${GATE_FILE_NAME}`])
  } catch (err) {
    if (err instanceof GitFailedError) return DEFAULT_TRUNK
    throw err
  }
  const trunk = parseGateFile(text, `${GATE_FILE_NAME} (on ${DEFAULT_TRUNK})`).trunk
  if (trunk === DEFAULT_TRUNK) return trunk
  await git(top, ['rev-parse', '--verify', '--quiet', `${trunk}^{commit}`]).catch(() => {
    throw new TrunkUnknownError(
      top,
      `the gate file on ${DEFAULT_TRUNK} names trunk "${trunk}", which does not exist`,
    )
  })
  return trunk
}
