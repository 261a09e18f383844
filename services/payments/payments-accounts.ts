import type { Redis } from 'ioredis'
import { PaymentsAccountConflictError } from './payments-errors.ts'

/** One shop's account at the provider: where its charges and fault mode live. */
export interface PaymentsAccount {
  apiKey: string
  redis: Redis
  prefix: string
}

/**
 * The accounts of this process, by api key. Several registrations of one key (several workers of one shop in
 * one process) stack up: the newest one still registered answers, so closing one worker never strands another.
 * Kept on globalThis so two copies of this module in one process still share one table.
 */
const TABLE = Symbol.for('firedrill.payments.accounts')

type AccountTable = Map<string, PaymentsAccount[]>

function table(): AccountTable {
  const holder = globalThis as { [TABLE]?: AccountTable }
  holder[TABLE] ??= new Map()
  return holder[TABLE]
}

/** Maps an api key to a shop's account; returns the function that removes this registration again. */
export function registerPaymentsAccount(account: PaymentsAccount): () => void {
  const entry = Object.freeze({ ...account })
  const stack = table().get(entry.apiKey) ?? []
  const other = stack.find((existing) => existing.prefix !== entry.prefix)
  if (other !== undefined) throw new PaymentsAccountConflictError(entry.prefix, other.prefix)
  table().set(entry.apiKey, [...stack, entry])
  return () => {
    const remaining = (table().get(entry.apiKey) ?? []).filter((existing) => existing !== entry)
    if (remaining.length === 0) table().delete(entry.apiKey)
    else table().set(entry.apiKey, remaining)
  }
}

/** The account behind an `Authorization: Bearer <apiKey>` header, if any. */
export function accountForAuthorization(header: string | null): PaymentsAccount | undefined {
  const match = /^Bearer\s+(\S+)$/.exec(header ?? '')
  if (match?.[1] === undefined) return undefined
  return table().get(match[1])?.at(-1)
}
