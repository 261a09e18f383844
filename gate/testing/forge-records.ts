import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto'
import { git } from '../../record/git/git.ts'
import { LEDGER_NOTES_REF } from '../ledger/gate-ledger.ts'

/**
 * How an attacker forges a ledger record for `target` once they hold a key: they copy a real record (any note in
 * the ledger), point it at their commit, mark every step passed, and sign it again. Written from the public
 * formats alone (DSSE and in-toto; the HMAC records of earlier versions), the way an attacker would, so it
 * forges whichever format the ledger holds.
 */

/** JSON with object keys sorted at every depth (what HMAC records of earlier versions signed). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

function allPassed(steps: unknown): unknown {
  return Array.isArray(steps) ? steps.map((s) => ({ ...(s as object), status: 'passed' })) : steps
}

/** DSSE's pre-authentication encoding. */
function pae(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type)
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body])
}

/** An Ed25519 key's id as firedrill names it: sha256 over its SPKI DER, hex. */
export function forgedKeyid(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

/** A record copied from `template`, pointed at `target` (commit and tree), green, signed with `privateKeyPem`. */
export function forgeEnvelope(
  template: Record<string, unknown>,
  target: { commit: string; tree: string },
  privateKeyPem: string,
): string {
  const statement = JSON.parse(Buffer.from(String(template.payload), 'base64').toString('utf8'))
  statement.subject = [
    { name: 'commit', digest: { gitCommit: target.commit } },
    { name: 'tree', digest: { gitTree: target.tree } },
  ]
  statement.predicate = { ...statement.predicate, green: true, steps: allPassed(statement.predicate?.steps) }
  const payload = Buffer.from(JSON.stringify(statement))
  const type = String(template.payloadType)
  const key = createPrivateKey(privateKeyPem)
  return JSON.stringify({
    payloadType: type,
    payload: payload.toString('base64'),
    signatures: [
      {
        keyid: forgedKeyid(createPublicKey(key)),
        sig: sign(null, pae(type, payload), key).toString('base64'),
      },
    ],
  })
}

/** An HMAC record of earlier versions copied from `template`, pointed at `target`, green, signed with `secret`. */
export function forgeHmacRecord(
  template: Record<string, unknown>,
  target: { commit: string; tree: string },
  secret: string,
): string {
  const body: Record<string, unknown> = {
    ...template,
    commit: target.commit,
    tree: target.tree,
    green: true,
    steps: allPassed(template.steps),
  }
  delete body.signature
  const signature = createHmac('sha256', Buffer.from(secret.trim(), 'utf8'))
    .update(canonicalJson(body))
    .digest('hex')
  return JSON.stringify({ ...body, signature })
}

/** A record forged from `template` with whatever `secret` is (a PEM private key, or an HMAC secret). */
export function forgeWith(
  template: Record<string, unknown>,
  target: { commit: string; tree: string },
  secret: string,
): string | undefined {
  if (secret.includes('PRIVATE KEY')) {
    if (typeof template.payload !== 'string') return undefined
    return forgeEnvelope(template, target, secret.replaceAll('\\n', '\n'))
  }
  if (template.version === 1) return forgeHmacRecord(template, target, secret)
  return undefined
}

export async function readNote(dir: string, commit: string): Promise<Record<string, unknown> | undefined> {
  const text = await git(dir, ['notes', '--ref', LEDGER_NOTES_REF, 'show', commit]).catch(() => undefined)
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>)
}

export async function writeNote(dir: string, commit: string, text: string): Promise<void> {
  await git(dir, ['notes', '--ref', LEDGER_NOTES_REF, 'add', '-f', '-m', text, commit])
}
