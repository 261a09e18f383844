import { sign, verify } from 'node:crypto'
import type { GateSigner } from './gate-signer.ts'
import type { TrustedKeys } from './trusted-keys.ts'

/** The payload type of an in-toto statement in a DSSE envelope. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

/** A DSSE envelope (secure-systems-lab/dsse v1): the payload base64-encoded, each signature over its PAE. */
export interface DsseEnvelope {
  payloadType: string
  payload: string
  signatures: { keyid: string; sig: string }[]
}

/** DSSE's pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`, lengths in bytes. */
export function preAuthEncoding(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8')
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body])
}

/** Wraps `payload` in an envelope signed by `signer` (Ed25519 over the PAE). */
export function signEnvelope(payload: Buffer, payloadType: string, signer: GateSigner): DsseEnvelope {
  const sig = sign(null, preAuthEncoding(payloadType, payload), signer.privateKey)
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: signer.keyid, sig: sig.toString('base64') }],
  }
}

export type EnvelopeCheck =
  | { ok: true; keyid: string; payloadType: string; payload: Buffer }
  | { ok: false; kind: 'malformed' | 'untrusted-key' | 'signature-invalid'; reason: string; keyids: string[] }

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function strictBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) return undefined
  return Buffer.from(text, 'base64')
}

/**
 * Checks an envelope against the keys trunk trusts: it holds when one signature by a trusted key verifies over
 * the PAE of its payload. A signature whose keyid names a trusted key but does not verify is `signature-invalid`
 * (an edited record, or a borrowed keyid); an envelope signed only by other keys is `untrusted-key`.
 */
export function verifyEnvelope(value: unknown, trust: TrustedKeys): EnvelopeCheck {
  const malformed = (reason: string): EnvelopeCheck => ({ ok: false, kind: 'malformed', reason, keyids: [] })
  if (value === null || typeof value !== 'object') return malformed('the note is not a DSSE envelope')
  const envelope = value as Partial<DsseEnvelope>
  if (typeof envelope.payloadType !== 'string') return malformed('the envelope has no payloadType')
  const payload = strictBase64(envelope.payload)
  if (payload === undefined) return malformed('the envelope payload is not base64')
  if (!Array.isArray(envelope.signatures) || envelope.signatures.length === 0)
    return malformed('the envelope carries no signature')
  const pae = preAuthEncoding(envelope.payloadType, payload)
  const keyids: string[] = []
  let failedTrusted: string | undefined
  for (const signature of envelope.signatures as unknown[]) {
    const { keyid, sig } = (signature ?? {}) as { keyid?: unknown; sig?: unknown }
    if (typeof keyid !== 'string') continue
    keyids.push(keyid)
    const key = trust.keys.get(keyid)
    const bytes = strictBase64(sig)
    if (key === undefined) continue
    if (bytes !== undefined && verify(null, pae, key, bytes))
      return { ok: true, keyid, payloadType: envelope.payloadType, payload }
    failedTrusted ??= keyid
  }
  if (failedTrusted !== undefined)
    return {
      ok: false,
      kind: 'signature-invalid',
      reason: `its signature by trusted key ${failedTrusted.slice(0, 16)} does not verify (the record was edited, or the keyid was borrowed)`,
      keyids,
    }
  const named = keyids.length === 0 ? 'no key' : keyids.map((k) => k.slice(0, 16)).join(', ')
  const listed = trust.present
    ? `${trust.keys.size} key(s) in firedrill-gate.pub on ${trust.source}`
    : `${trust.source} has no firedrill-gate.pub`
  return {
    ok: false,
    kind: 'untrusted-key',
    reason: `it is signed by ${named}, which trunk does not trust (${listed})`,
    keyids,
  }
}
