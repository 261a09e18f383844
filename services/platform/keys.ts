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
    /** Orders not yet paid or failed, scored by creation time (ms): what the worker's reconciler walks. */
    ordersPending: `${prefix}:orders-pending`,
    /** Charge attempts in flight for one order, each scored by when its lease ends (Redis time, ms). */
    orderChargeAttempts: (id: string) => `${prefix}:order-charging:${id}`,
    /** Set once an order is being failed: no new charge attempt may start; holds the failure reason. */
    orderFence: (id: string) => `${prefix}:order-fence:${id}`,
    /** Held by the worker whose reconciler sweeps now. */
    ordersReconcileLock: `${prefix}:orders-reconcile-lock`,
    flagDefinitions: `${prefix}:flags:definitions`,
    flagChanges: `${prefix}:flags:changes`,
    flagAudit: `${prefix}:flags:audit`,
    paymentsFault: `${prefix}:payments:fault`,
    paymentsCharges: `${prefix}:payments:charges`,
    paymentsChargeAttempts: `${prefix}:payments:charge-attempts`,
    paymentsCapacity: `${prefix}:payments:capacity`,
    paymentsRecentAttempts: `${prefix}:payments:recent-attempts`,
    paymentsIdempotency: (key: string) => `${prefix}:payments:idempotency:${key}`,
    /** BullMQ's own prefix for the shop's queues. */
    bullPrefix: `${prefix}:bull`,
  } as const
}

export type Keyspace = ReturnType<typeof keyspace>

export const FULFILMENT_QUEUE = 'fulfilment'
