import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { GateKeyInvalidError } from '../gate-errors.ts'

/** The per-user key file's name, under `$XDG_CONFIG_HOME/firedrill/` (default `~/.config/firedrill/`). */
export const SIGNER_KEY_FILE_NAME = 'gate-signing-key.pem'

/** Where this user's signing key lives: never in a repository, never where a gate step can see it. */
export function signerKeyFile(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME
  if (xdg !== undefined && xdg !== '') {
    if (!isAbsolute(xdg))
      throw new GateKeyInvalidError(`XDG_CONFIG_HOME must be an absolute path (got "${xdg}")`)
    return join(xdg, 'firedrill', SIGNER_KEY_FILE_NAME)
  }
  const home = env.HOME
  if (home === undefined || home === '' || !isAbsolute(home))
    throw new GateKeyInvalidError('neither XDG_CONFIG_HOME nor HOME names a directory for your key file')
  return join(home, '.config', 'firedrill', SIGNER_KEY_FILE_NAME)
}

const inside = (dir: string, file: string) => {
  const rel = relative(dir, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Reads this user's signing key (PKCS#8 PEM), making a fresh Ed25519 key on first use: the directory mode 0700,
 * the file 0600, written whole (a temporary file linked into place, so two gate runs never both win). Refused
 * when it lies inside the repository under test, is not the user's, or others may read it.
 */
export async function readOrCreateSignerKeyFile(file: string, repository?: string): Promise<string> {
  if (repository !== undefined && inside(repository, file))
    throw new GateKeyInvalidError(
      `the key file ${file} lies inside the repository under test; keep it outside every repository`,
    )
  try {
    const info = await stat(file)
    if (typeof process.getuid === 'function' && info.uid !== process.getuid())
      throw new GateKeyInvalidError(`${file} belongs to another user`)
    if ((info.mode & 0o077) !== 0)
      throw new GateKeyInvalidError(
        `${file} may be read by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${file}`,
      )
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const { privateKey } = generateKeyPairSync('ed25519')
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temp, pem, { mode: 0o600, flag: 'wx' })
  try {
    await link(temp, file)
  } catch (err) {
    // Another gate run made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    await rm(temp, { force: true })
  }
  return readFile(file, 'utf8')
}
