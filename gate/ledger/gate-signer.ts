import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { GateKeyInvalidError } from '../gate-errors.ts'
import { readOrCreateSignerKeyFile, signerKeyFile } from './signer-key-file.ts'

/** The environment variable that holds the signing key in CI: an Ed25519 private key, PKCS#8 PEM. */
export const SIGNING_KEY_ENV = 'FIREDRILL_GATE_SIGNING_KEY'
/** The HMAC secret earlier versions read; refused, so a CI that still sets it learns why its records fail. */
export const RETIRED_KEY_ENV = 'FIREDRILL_GATE_KEY'

/** What signs ledger records. The private key never leaves the gate's own process. */
export interface GateSigner {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** sha256 of the public key (SPKI DER), hex: how records and `firedrill-gate.pub` name the key. */
  readonly keyid: string
  /** `env`: FIREDRILL_GATE_SIGNING_KEY; `file`: the per-user key file. */
  readonly source: 'env' | 'file'
  readonly file?: string
}

/** A public key's id: sha256 over its SubjectPublicKeyInfo DER, hex. */
export function keyidOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

function ed25519PrivateKey(pem: string, where: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem.includes('\\n') ? pem.replaceAll('\\n', '\n') : pem, format: 'pem' })
  } catch (err) {
    throw new GateKeyInvalidError(`${where} is not a private key in PEM form`, err)
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new GateKeyInvalidError(`${where} holds an ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`)
  return key
}

/**
 * The signer for this gate run: `FIREDRILL_GATE_SIGNING_KEY` when set (CI), else this user's key file
 * (`$XDG_CONFIG_HOME/firedrill/gate-signing-key.pem`, made on first use), which must lie outside `repository`.
 * A bad key is an input error, never a silent fallback; so is the retired `FIREDRILL_GATE_KEY`.
 */
export async function loadGateSigner(env: NodeJS.ProcessEnv, repository?: string): Promise<GateSigner> {
  if (env[RETIRED_KEY_ENV] !== undefined)
    throw new GateKeyInvalidError(
      `${RETIRED_KEY_ENV} (an HMAC secret) is no longer read: records are signed with Ed25519 and checked with the public keys trunk commits; unset it`,
    )
  const given = env[SIGNING_KEY_ENV]
  if (given !== undefined) {
    const privateKey = ed25519PrivateKey(given, SIGNING_KEY_ENV)
    const publicKey = createPublicKey(privateKey)
    return { privateKey, publicKey, keyid: keyidOf(publicKey), source: 'env' }
  }
  const file = signerKeyFile(env)
  const privateKey = ed25519PrivateKey(await readOrCreateSignerKeyFile(file, repository), file)
  const publicKey = createPublicKey(privateKey)
  return { privateKey, publicKey, keyid: keyidOf(publicKey), source: 'file', file }
}
