import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'

/** A runbook: what the alert means and the first checks, as an on-call engineer would find it. */
export interface Runbook {
  slo: string
  title: string
  meaning: string
  firstChecks: string[]
  mitigations: string[]
}

/** What an SLI's page means, what to check first, and the mitigations that SLI has beyond the common ones. */
interface SliRunbook {
  meaning: string
  checks: string[]
  mitigations?: string[]
}

const COMMON_CHECKS = [
  'Acknowledge the page, so the team knows someone has it, and post a first status update in the incident channel.',
  'Open the dashboards: when did the error ratio (or latency) start to move, and is it still moving?',
  'Open the changes: which deploys and flag changes happened shortly before the burn began? A change made after the alert started cannot have caused it.',
]

const COMMON_MITIGATIONS = [
  'Prefer the smallest reversible step: turn off the flag of a recent release, or roll back a recent deploy.',
  'Say what you are about to do and why in the incident channel before you do it; say what you saw after.',
  "Leave other teams' flags alone unless the evidence points at them: every change you make is one more thing that moved.",
]

const BY_SLI: Record<string, SliRunbook> = {
  availability: {
    meaning:
      'Orders are failing: the share of checkout requests answered with a 5xx is eating the error budget many times faster than the objective allows.',
    checks: ['Which routes and which kinds of orders fail? Compare the error ratio with the request rate.'],
  },
  latency: {
    meaning:
      'Orders are slow: the share of checkout requests answered within the latency threshold has dropped below the objective.',
    checks: [
      'Is the p99 latency up while p50 holds (a slow path for some requests) or both (a slow dependency)?',
    ],
  },
  fulfilment: {
    meaning: 'Orders are not paid in time: the worker charging the payment provider misses its deadline.',
    checks: ["Is the payment provider's status page reporting trouble? Is the queue growing?"],
    mitigations: [
      'If the payment provider is failing (its status page says so, and no change of ours explains the burn), turn its degrade switch payments.defer-charges on: orders are accepted and charged once it is off again.',
    ],
  },
}

/**
 * The runbook for the page of one SLO, from the SLI it measures. Generic on purpose: it says how to find a
 * cause, never which one this scenario planted.
 */
export function runbookFor(scenario: ValidScenario, slo: string): Runbook | null {
  const indicator = scenario.slo.indicators.find((i) => i.name === slo)
  if (indicator === undefined) return null
  const kind = BY_SLI[indicator.sli] ?? BY_SLI.availability!
  const objective = Number(((indicator.objective ?? scenario.slo.objective) * 100).toPrecision(10))
  return {
    slo,
    title: `Runbook: SLO ${slo} burning its error budget`,
    meaning: `${kind.meaning} Objective: ${objective} % over ${scenario.slo.window}.`,
    firstChecks: [...COMMON_CHECKS, ...kind.checks],
    mitigations: [...COMMON_MITIGATIONS, ...(kind.mitigations ?? [])],
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The runbook as a page of its own. */
export function runbookHtml(runbook: Runbook, cssHref: string): string {
  const list = (items: readonly string[]) =>
    `<ol>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ol>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(runbook.title)}</title>
<link rel="stylesheet" href="${escapeHtml(cssHref)}"></head>
<body class="runbook"><main>
<h1>${escapeHtml(runbook.title)}</h1>
<h2>What it means</h2><p>${escapeHtml(runbook.meaning)}</p>
<h2>First checks</h2>${list(runbook.firstChecks)}
<h2>Mitigate</h2>${list(runbook.mitigations)}
</main></body></html>
`
}
