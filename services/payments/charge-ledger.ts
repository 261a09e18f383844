import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { keyspace } from '../platform/keys.ts'
import type { Charge, ChargeRequest } from './charge.ts'

/**
 * Claims the idempotency key and records the charge in one step, so two concurrent requests with one key
 * create one charge and both get it back. Returns {created, chargeJson}.
 */
const RECORD = `
local existing = redis.call('GET', KEYS[1])
if existing then
  return {0, redis.call('HGET', KEYS[2], existing)}
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {1, ARGV[2]}
`

export interface RecordedCharge {
  charge: Charge
  /** True when the idempotency key had been used before and this is the earlier charge, unchanged. */
  replayed: boolean
}

/** Records a charge under an idempotency key, or returns the charge already recorded under it. */
export async function recordCharge(
  redis: Redis,
  prefix: string,
  request: ChargeRequest,
  idempotencyKey: string,
  now: Date,
): Promise<RecordedCharge> {
  const keys = keyspace(prefix)
  const charge: Charge = {
    id: `ch_${randomBytes(12).toString('hex')}`,
    orderId: request.orderId,
    amountCents: request.amountCents,
    currency: request.currency,
    status: 'succeeded',
    idempotencyKey,
    createdAt: now.toISOString(),
  }
  const [created, raw] = (await redis.eval(
    RECORD,
    2,
    keys.paymentsIdempotency(idempotencyKey),
    keys.paymentsCharges,
    charge.id,
    JSON.stringify(charge),
  )) as [number, string]
  return { charge: JSON.parse(raw) as Charge, replayed: created === 0 }
}

/** Counts one charge attempt and returns the account's running attempt number (1, 2, 3 …). */
export function countChargeAttempt(redis: Redis, prefix: string): Promise<number> {
  return redis.incr(keyspace(prefix).paymentsChargeAttempts)
}

/** Every charge attempt that reached the provider, including the ones a fault or a decline turned away. */
export async function chargeAttempts(redis: Redis, prefix: string): Promise<number> {
  return Number((await redis.get(keyspace(prefix).paymentsChargeAttempts)) ?? 0)
}

export async function getCharge(redis: Redis, prefix: string, id: string): Promise<Charge | undefined> {
  const raw = await redis.hget(keyspace(prefix).paymentsCharges, id)
  return raw === null ? undefined : (JSON.parse(raw) as Charge)
}

/** The charge recorded under an idempotency key, if any: the provider's answer to "did this key charge?". */
export async function findChargeByIdempotencyKey(
  redis: Redis,
  prefix: string,
  idempotencyKey: string,
): Promise<Charge | undefined> {
  const id = await redis.get(keyspace(prefix).paymentsIdempotency(idempotencyKey))
  return id === null ? undefined : getCharge(redis, prefix, id)
}

/** Every recorded charge of a shop, oldest first; only one order's when `orderId` is given. */
export async function listCharges(
  redis: Redis,
  prefix: string,
  filter: { orderId?: string } = {},
): Promise<Charge[]> {
  const all = (await redis.hvals(keyspace(prefix).paymentsCharges)).map((raw) => JSON.parse(raw) as Charge)
  const wanted =
    filter.orderId === undefined ? all : all.filter((charge) => charge.orderId === filter.orderId)
  return wanted.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

/** How many charges were recorded, for the whole shop or for one order. */
export async function chargeCount(redis: Redis, prefix: string, orderId?: string): Promise<number> {
  if (orderId === undefined) return redis.hlen(keyspace(prefix).paymentsCharges)
  return (await listCharges(redis, prefix, { orderId })).length
}
