import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { git } from '../../record/git/git.ts'
import { mergeWhenGreen } from '../merge/merge-when-green.ts'
import {
  commitOn,
  FORGE_ATTACKS,
  type Forge,
  type ForgeAttempt,
  forgeGate,
  gate,
  verifyItem,
  writeFiles,
} from './forge-attacks.ts'
import { readNote } from './forge-records.ts'

export type { ForgeAttempt }

export interface ForgeReport {
  attempts: ForgeAttempt[]
  /** How many attempts were accepted: must be 0. */
  forged: number
}

export interface ForgeOptions {
  /** The gate's environment (signing key, Redis). @defaultValue process.env */
  env?: NodeJS.ProcessEnv
  /** The repository's trunk. @defaultValue 'main' */
  trunk?: string
}

/**
 * Runs every known forging attack against a private clone of `repoDir` (the repository itself is left alone):
 * the change's code stealing the signing key, a change deleting its own blocking steps or naming its own trunk,
 * a record signed with the attacker's own key, a real record borrowed or edited, an empty commit closing an
 * item, a prevent item closed without a test. The clone's trunk gets the forge's own gate file (a guard that is
 * red on every attack's commit); its `firedrill-gate.pub` is kept, so trunk must already trust this machine's
 * signer: an honest change goes through first, and the function throws when it does not (0 would prove nothing).
 */
export async function runForgeAttempts(repoDir: string, options: ForgeOptions = {}): Promise<ForgeReport> {
  const env = options.env ?? process.env
  const trunk = options.trunk ?? 'main'
  const scratch = await mkdtemp(join(tmpdir(), 'firedrill-forge-'))
  const dir = join(scratch, 'repo')
  try {
    await git(scratch, ['clone', '-q', '--no-local', repoDir, dir])
    await git(dir, ['checkout', '-q', '-B', trunk, `origin/${trunk}`])
    await writeFiles(dir, { 'firedrill-gate.yaml': forgeGate(trunk), 'forge/check.mjs': 'process.exit(0)\n' })
    await git(dir, ['add', '-A'])
    await git(dir, ['commit', '-q', '-m', "ci: the forge drill's gate"])
    const trunkOption = options.trunk === undefined ? {} : { trunk }

    const honest = await commitOn(
      { dir },
      'forge/honest',
      trunk,
      { 'forge/honest.test.mjs': 'process.exit(0)\n' },
      'fix: an honest change with its test\n\nRefs: AI-1',
    )
    const base: Forge = { dir, trunk, env, trunkOption, template: {}, scratch }
    const { result } = await gate(base, 'forge/honest')
    if (!result.green)
      throw new Error(
        `the forge's honest change went red: ${result.steps.map((s) => `${s.name} ${s.status}`).join(', ')}`,
      )
    const template = await readNote(dir, honest)
    try {
      await mergeWhenGreen({ repo: dir, branch: 'forge/honest', env, ...trunkOption })
    } catch (err) {
      throw new Error(
        `the forge's honest change was refused, so refusals would prove nothing: ${(err as Error).message} (trunk's firedrill-gate.pub must trust this machine's signer: firedrill gate --public-key)`,
      )
    }
    const forge: Forge = { ...base, template: template ?? {} }
    const honestItem = await verifyItem(forge, 'AI-1')
    if (!honestItem.holds) throw new Error(`the forge's honest item does not hold: ${honestItem.detail}`)

    const attempts: ForgeAttempt[] = []
    for (const attack of FORGE_ATTACKS) attempts.push(await attack(forge))
    return { attempts, forged: attempts.filter((a) => a.accepted).length }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** How many forged records or closings the gate's judges accepted in `runForgeAttempts`: must be 0. */
export async function tryForgeGreen(repoDir: string, options: ForgeOptions = {}): Promise<number> {
  return (await runForgeAttempts(repoDir, options)).forged
}
