/**
 * Every Redis key the shop writes starts with one prefix, so several shops (or test cases) can share a server.
 * @defaultValue 'firedrill'
 */
export const DEFAULT_PREFIX = 'firedrill'

export function keyspace(prefix: string) {
  return {
    prefix,
    orders: (id: string) => `${prefix}:orders:${id}`,
    orderIds: `${prefix}:orders:index`,
    flagDefinitions: `${prefix}:flags:definitions`,
    flagChanges: `${prefix}:flags:changes`,
    flagAudit: `${prefix}:flags:audit`,
    paymentsFault: `${prefix}:payments:fault`,
    paymentsCharges: `${prefix}:payments:charges`,
    paymentsChargeAttempts: `${prefix}:payments:charge-attempts`,
    paymentsIdempotency: (key: string) => `${prefix}:payments:idempotency:${key}`,
    /** BullMQ's own prefix for the shop's queues. */
    bullPrefix: `${prefix}:bull`,
  } as const
}

export type Keyspace = ReturnType<typeof keyspace>

export const FULFILMENT_QUEUE = 'fulfilment'
