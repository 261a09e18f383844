import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { GateKeyInvalidError } from '../gate-errors.ts'
import { git } from '../sandbox/git.ts'

/** The environment variable that holds a shared signing key (a CI secret), over the per-repository key. */
export const GATE_KEY_ENV = 'FIREDRILL_GATE_KEY'

export interface GateKey {
  key: Buffer
  source: 'env' | 'repository'
}

/** `<git-common-dir>/firedrill/gate.key`: inside .git, so never in the work tree and never committed. */
export async function repositoryKeyFile(top: string): Promise<string> {
  const common = await git(top, ['rev-parse', '--git-common-dir'])
  return join(isAbsolute(common) ? common : join(top, common), 'firedrill', 'gate.key')
}

/**
 * The key that signs and checks ledger records: `FIREDRILL_GATE_KEY` when set (at least 16 characters, else an
 * input error: never a silent fallback), else the repository's own key, made with 32 random bytes and mode
 * 0600 on first use.
 */
export async function gateKey(top: string, env: NodeJS.ProcessEnv = process.env): Promise<GateKey> {
  const given = env[GATE_KEY_ENV]
  if (given !== undefined) {
    if (given.length < 16) throw new GateKeyInvalidError(`${GATE_KEY_ENV} is shorter than 16 characters`)
    return { key: Buffer.from(given, 'utf8'), source: 'env' }
  }
  const file = await repositoryKeyFile(top)
  try {
    const text = (await readFile(file, 'utf8')).trim()
    if (text.length >= 32) return { key: Buffer.from(text, 'utf8'), source: 'repository' }
    throw new GateKeyInvalidError(`${file} holds fewer than 32 characters; delete it to make a new key`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 })
  const text = randomBytes(32).toString('hex')
  try {
    await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    // Another gate run made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return gateKey(top, env)
    throw err
  }
  await chmod(file, 0o600)
  return { key: Buffer.from(text, 'utf8'), source: 'repository' }
}
