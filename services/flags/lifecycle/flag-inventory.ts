import type { FlagsDocument } from '../flag-definition.ts'
import { flagAgeDays, isPastExpiry, isPotentiallyStale } from './flag-lifetime.ts'

/** One flag's line in the offline inventory: its lifecycle data and what follows from it at `now`. */
export interface FlagInventoryRow {
  key: string
  state: string
  owner: string | null
  type: string | null
  /** metadata `createdAt`, when the flag has one. */
  createdAt: string | null
  /** Whole days since `createdAt`; null when it is unknown. */
  ageDays: number | null
  expiresAt: string | null
  pastExpiry: boolean
  removalTicket: string | null
  lifecycle: string | null
  /** Older than its type's lifetime (release 40 days, experiment 40, operational 7; others never). */
  potentiallyStale: boolean
}

export interface FlagInventoryOptions {
  now: Date
}

/** A metadata field as a non-blank string, else null (a flags file read for an audit may lack it). */
export function metadataText(metadata: Record<string, unknown> | undefined, field: string): string | null {
  const value = metadata?.[field]
  return typeof value === 'string' && value.trim() !== '' ? value : null
}

/** The inventory of a flags document at `now`, one row per flag, in the file's order. */
export function flagInventory(document: FlagsDocument, options: FlagInventoryOptions): FlagInventoryRow[] {
  return Object.entries(document.flags).map(([key, flag]) => {
    const metadata = flag.metadata as Record<string, unknown> | undefined
    const type = metadataText(metadata, 'type')
    const createdAt = metadataText(metadata, 'createdAt')
    const expiresAt = metadataText(metadata, 'expiresAt')
    const lifecycle = metadataText(metadata, 'lifecycle')
    const ageDays = flagAgeDays(createdAt, options.now)
    return {
      key,
      state: flag.state,
      owner: metadataText(metadata, 'owner'),
      type,
      createdAt,
      ageDays,
      expiresAt,
      pastExpiry: lifecycle !== 'archived' && isPastExpiry(expiresAt, options.now),
      removalTicket: metadataText(metadata, 'removalTicket'),
      lifecycle,
      potentiallyStale: lifecycle === 'active' && isPotentiallyStale(type, ageDays),
    }
  })
}
