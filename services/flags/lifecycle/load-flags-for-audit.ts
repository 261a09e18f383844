import { readFile } from 'node:fs/promises'
import { FlagsFileInvalidError } from '../../platform/errors.ts'
import type { FlagsDocument } from '../flag-definition.ts'
import { parseFlagsDocument } from '../load-flags-file.ts'

/** Lifecycle fields whose absence the audit reports as debt instead of refusing the file. */
const DEBT_FIELDS: Readonly<Record<string, string>> = {
  owner: 'unowned',
  removalTicket: 'NO-TICKET',
  expiresAt: '9999-12-31',
}

/**
 * Reads a flags file for an audit: everything the loader checks must hold, except that a missing owner,
 * removal ticket or expiry is left for the audit to report as debt. Returns the document as written (those
 * fields may be absent). Throws `FlagsFileInvalidError` (exit 2) for anything else.
 */
export async function loadFlagsForAudit(file: string): Promise<FlagsDocument> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new FlagsFileInvalidError(file, `cannot read it (${(err as Error).message})`)
  }
  return parseFlagsForAudit(text, file)
}

/** The text of a flags file, checked as {@link loadFlagsForAudit} does; `source` names it in errors. */
export function parseFlagsForAudit(text: string, source: string): FlagsDocument {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return parseFlagsDocument(text, source)
  }
  if (!isRecord(raw) || !isRecord(raw.flags)) return parseFlagsDocument(text, source)
  const flags = raw.flags
  const patched: Record<string, unknown> = {}
  for (const [key, flag] of Object.entries(flags)) {
    if (!isRecord(flag) || !isRecord(flag.metadata)) {
      patched[key] = flag
      continue
    }
    const metadata = { ...flag.metadata }
    for (const [field, placeholder] of Object.entries(DEBT_FIELDS)) {
      const value = metadata[field]
      if (value === undefined || (typeof value === 'string' && value.trim() === ''))
        metadata[field] = placeholder
    }
    patched[key] = { ...flag, metadata }
  }
  parseFlagsDocument(JSON.stringify({ ...raw, flags: patched }), source)
  return raw as unknown as FlagsDocument
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
