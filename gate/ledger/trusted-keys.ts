import { createPublicKey, type KeyObject } from 'node:crypto'
import { git } from '../../record/git/git.ts'
import { GitFailedError, TrustedKeysInvalidError } from '../gate-errors.ts'
import { type GateSigner, keyidOf } from './gate-signer.ts'

/** The file on trunk that lists the public keys whose records the ledger accepts. */
export const TRUSTED_KEYS_FILE = 'firedrill-gate.pub'

/** The keys trunk trusts, by keyid, and where they were read. */
export interface TrustedKeys {
  readonly keys: ReadonlyMap<string, KeyObject>
  /** `main (1a2b3c4d5e6f)`: the ref and commit the file was read from. */
  readonly source: string
  /** Whether trunk has the file at all. */
  readonly present: boolean
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----\r?\n[\s\S]*?-----END PUBLIC KEY-----/g

/**
 * Parses `firedrill-gate.pub`: Ed25519 public keys as PEM blocks (SPKI), with `#` comment lines between them.
 * Anything else in the file is refused, naming the line, so a typo never silently drops a key.
 */
export function parseTrustedKeys(text: string, ref: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>()
  for (const match of text.matchAll(PEM_BLOCK)) {
    let key: KeyObject
    try {
      key = createPublicKey({ key: match[0], format: 'pem' })
    } catch {
      throw new TrustedKeysInvalidError(
        TRUSTED_KEYS_FILE,
        ref,
        `the key at offset ${match.index} is not a PEM public key`,
      )
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw new TrustedKeysInvalidError(
        TRUSTED_KEYS_FILE,
        ref,
        `the key at offset ${match.index} is ${key.asymmetricKeyType ?? 'unknown'}, not Ed25519`,
      )
    keys.set(keyidOf(key), key)
  }
  const rest = text.replace(PEM_BLOCK, '').split('\n')
  const stray = rest.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('#'))
  if (stray !== -1)
    throw new TrustedKeysInvalidError(
      TRUSTED_KEYS_FILE,
      ref,
      `"${rest[stray]!.trim().slice(0, 40)}" is neither a PEM block nor a # comment`,
    )
  return keys
}

/** The keys trunk trusts: `firedrill-gate.pub` as `trunkRef` holds it (none when it has no such file). */
export async function loadTrustedKeys(top: string, trunkRef: string): Promise<TrustedKeys> {
  const commit = await git(top, ['rev-parse', '--verify', '--quiet', `${trunkRef}^{commit}`])
  const source = `${trunkRef} (${commit.slice(0, 12)})`
  let text: string
  try {
    text = await git(top, ['show', `${commit}:${TRUSTED_KEYS_FILE}`])
  } catch (err) {
    if (err instanceof GitFailedError) return { keys: new Map(), source, present: false }
    throw err
  }
  return { keys: parseTrustedKeys(text, trunkRef), source, present: true }
}

/** The lines to add to `firedrill-gate.pub` so trunk trusts `signer`. */
export function trustedKeyEntry(signer: Pick<GateSigner, 'publicKey' | 'keyid'>): string {
  const pem = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString().trimEnd()
  return `# firedrill gate signer ${signer.keyid}\n${pem}\n`
}
