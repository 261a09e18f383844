/** A fault of firedrill's proxy as the journal keeps it (`simulator/fault-proxy/proxy-fault.ts` is its schema). */
export interface ProxyFaultWords {
  latency?: { ms: number; percent?: number }
  status?: { code: number; percent: number }
  reset?: { percent: number }
}

/** A proxy's fault in words: `answers 503 to 50 % of calls and adds 2000 ms to 100 % of calls`. */
export function describeProxyFault(fault: ProxyFaultWords | null): string {
  if (fault === null) return 'passes every call on'
  const parts: string[] = []
  if (fault.latency !== undefined)
    parts.push(`adds ${fault.latency.ms} ms to ${fault.latency.percent ?? 100} % of calls`)
  if (fault.status !== undefined)
    parts.push(`answers ${fault.status.code} to ${fault.status.percent} % of calls`)
  if (fault.reset !== undefined) parts.push(`resets ${fault.reset.percent} % of connections`)
  return parts.join(' and ')
}

/** What a dependency-fault scenario injects, in words without a share: `answers 503`, `adds 2000 ms`, `resets`. */
export function describeInjection(inject: {
  latency?: { ms: number }
  status?: { code: number }
  reset?: Record<string, never>
}): string {
  const parts: string[] = []
  if (inject.latency !== undefined) parts.push(`slow by ${inject.latency.ms} ms`)
  if (inject.status !== undefined) parts.push(`answered ${inject.status.code}`)
  if (inject.reset !== undefined) parts.push('reset')
  return parts.join(', ')
}
