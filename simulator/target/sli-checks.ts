import type { LoadedTarget } from '../../record/target/load-target.ts'
import { parsePrometheusText } from '../detection/parse-prometheus-text.ts'
import { httpProbe } from './http-probe.ts'
import { check, type TargetCheck } from './target-check.ts'

/** The SLI source answers: each instance's `/metrics` has the mapped histogram and labels, or the PromQL answers. */
export function sliChecks(loaded: LoadedTarget): Promise<TargetCheck>[] {
  const { slis, service } = loaded.target
  if (slis.kind === 'metrics')
    return loaded.instances.map((base) =>
      check(`metrics ${base}${slis.path}`, async () => {
        const { status, body } = await httpProbe(`${base}${slis.path}`, service.timeoutMs)
        if (status !== 200) throw new Error(`${base}${slis.path} answered ${status}, not Prometheus text`)
        const family = slis.histogram
        if (!new RegExp(`^# TYPE ${family} histogram$`, 'm').test(body))
          throw new Error(
            `no histogram "${family}" (slis.histogram); histograms exposed: ${histogramsIn(body).join(', ') || 'none'}`,
          )
        const samples = parsePrometheusText(body).filter((s) => s.name === `${family}_count`)
        if (samples.length === 0) return `${family} exposed, no requests counted yet`
        for (const label of [slis.statusLabel, slis.routeLabel])
          if (!samples.some((s) => label in s.labels))
            throw new Error(
              `${family} has no label "${label}"; its labels: ${[...new Set(samples.flatMap((s) => Object.keys(s.labels)))].join(', ')}`,
            )
        const routes = new Set(samples.map((s) => s.labels[slis.routeLabel]))
        const route = slis.route
        const seen =
          route === undefined || routes.has(route) ? '' : `; no request to route "${route}" counted yet`
        return `${family} with ${slis.statusLabel} and ${slis.routeLabel} (${samples.length} series)${seen}`
      }),
    )
  const query = async (name: 'errors' | 'total', needsData: boolean) => {
    const promql = slis[name].replaceAll('$window', '5m')
    const url = `${slis.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(promql)}`
    const { status, body } = await httpProbe(url, service.timeoutMs)
    let answer: { status?: string; error?: string; data?: { result?: unknown[] } }
    try {
      answer = JSON.parse(body)
    } catch {
      throw new Error(`${slis.url} answered ${status} without JSON: is it a Prometheus server?`)
    }
    if (answer.status !== 'success')
      throw new Error(`slis.${name} was refused: ${answer.error ?? `HTTP ${status}`}`)
    const count = answer.data?.result?.length ?? 0
    if (needsData && count === 0)
      throw new Error(`slis.${name} answered no series over 5m: does Prometheus scrape the service?`)
    return `${count} series over 5m`
  }
  return [
    check('promql errors', () => query('errors', false)),
    check('promql total', () => query('total', true)),
  ]
}

function histogramsIn(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]!)
}
