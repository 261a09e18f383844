import { Counter, type Registry } from 'prom-client'

/** The api's business metrics, next to the HTTP ones from the metrics plugin. */
export function createApiMetrics(registry: Registry) {
  return {
    ordersCreated: new Counter({
      name: 'orders_created_total',
      help: 'Orders accepted, by the pricing path that priced them.',
      labelNames: ['pricing'],
      registers: [registry],
    }),
    ordersRejected: new Counter({
      name: 'orders_rejected_total',
      help: 'Orders not accepted, by reason (invalid, paused, store_unavailable, error).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    flagEvaluations: new Counter({
      name: 'feature_flag_evaluations_total',
      help: 'Flag evaluations made while serving requests, by flag and value.',
      labelNames: ['flag', 'value'],
      registers: [registry],
    }),
  }
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>
