import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** Outcomes of a request through the proxy. */
export type ProxyOutcome = 'forwarded' | 'status' | 'reset' | 'upstream_error' | 'aborted'

/** The proxy's own Prometheus metrics, served on `/-/metrics`. */
export function createFaultProxyMetrics() {
  const registry = new Registry()
  return {
    registry,
    requests: new Counter({
      name: 'fault_proxy_requests_total',
      help: 'Requests through the fault proxy, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    faults: new Counter({
      name: 'fault_proxy_faults_injected_total',
      help: 'Faults injected, by kind (latency, status, reset)',
      labelNames: ['fault'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'fault_proxy_request_duration_seconds',
      help: 'Time from a request reaching the proxy to its answer (or reset), injected latency included',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    configReadFailures: new Counter({
      name: 'fault_proxy_config_read_failures_total',
      help: 'Requests passed on without a fault because the fault could not be read from Redis',
      registers: [registry],
    }),
    faultActive: new Gauge({
      name: 'fault_proxy_fault_active',
      help: '1 while the last fault read is set, 0 when cleared',
      registers: [registry],
    }),
  }
}

export type FaultProxyMetrics = ReturnType<typeof createFaultProxyMetrics>
