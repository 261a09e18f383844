import type { Slo } from '../sli-definition.ts'
import { errorRateExpr, totalRateExpr } from './sli-promql.ts'

/** A sloth `prometheus/v1` spec (sloth.dev): one service, its SLOs. */
export interface SlothSpec {
  version: 'prometheus/v1'
  service: string
  labels: Record<string, string>
  slos: {
    name: string
    objective: number
    description: string
    labels: Record<string, string>
    sli: { events: { error_query: string; total_query: string } }
    alerting: {
      name: string
      labels: Record<string, string>
      annotations: Record<string, string>
      page_alert: { labels: Record<string, string> }
      ticket_alert: { labels: Record<string, string> }
    }
  }[]
}

/** `orders-availability` → `OrdersAvailability`, for sloth's alert names. */
const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')

/**
 * The SLOs as a sloth spec: each SLI as an error query and a total query over sloth's `{{.window}}`, objective
 * in percent. sloth generates the multiwindow, multi-burn-rate rules itself, with the SRE workbook's windows
 * and burn rates (page: 14.4× 1h/5m and 6× 6h/30m; ticket: 3× 1d/2h and 1× 3d/6h) over its SLO period.
 */
export function slothSpec(
  slos: readonly Slo[],
  service = 'firedrill-shop',
  queries: (slo: Slo) => { error_query: string; total_query: string } = (slo) => ({
    error_query: errorRateExpr(slo.sli.events, '{{.window}}'),
    total_query: totalRateExpr(slo.sli.events, '{{.window}}'),
  }),
): SlothSpec {
  return {
    version: 'prometheus/v1',
    service,
    labels: { generator: 'firedrill' },
    slos: slos.map((slo) => ({
      name: slo.name,
      objective: Number((slo.objective * 100).toPrecision(10)),
      description: slo.sli.description,
      labels: { sli: slo.sli.kind },
      sli: { events: queries(slo) },
      alerting: {
        name: `${pascal(slo.name)}BudgetBurn`,
        labels: { slo: slo.name },
        annotations: { summary: `SLO ${slo.name} (${slo.sli.description}) is burning its error budget.` },
        page_alert: { labels: { severity: 'page' } },
        ticket_alert: { labels: { severity: 'ticket' } },
      },
    })),
  }
}
