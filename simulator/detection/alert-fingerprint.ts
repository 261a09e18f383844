const FNV_OFFSET = 0xcbf29ce484222325n
const FNV_PRIME = 0x100000001b3n
const MASK = 0xffffffffffffffffn
const SEPARATOR = 0xff

/**
 * Alertmanager's fingerprint of a label set: FNV-1a 64 over the labels sorted by name, each name and value
 * followed by the 0xff separator byte (Prometheus `model.LabelsToSignature`), as 16 hex digits.
 */
export function alertFingerprint(labels: Record<string, string>): string {
  let hash = FNV_OFFSET
  const add = (byte: number) => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK
  }
  const encoder = new TextEncoder()
  for (const name of Object.keys(labels).sort()) {
    for (const byte of encoder.encode(name)) add(byte)
    add(SEPARATOR)
    for (const byte of encoder.encode(labels[name])) add(byte)
    add(SEPARATOR)
  }
  return hash.toString(16).padStart(16, '0')
}
