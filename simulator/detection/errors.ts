import { FiredrillError, FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/**
 * Error codes of detection (scraping, burn-rate alerts, webhooks). A code is never reused.
 * When the simulator gets one registry for all its parts, these move there unchanged.
 */
export const DetectionErrorCode = {
  OPTIONS_INVALID: 'FIREDRILL_DETECTION_OPTIONS_INVALID',
  PROMETHEUS_TEXT_INVALID: 'FIREDRILL_PROMETHEUS_TEXT_INVALID',
  WEBHOOK_FAILED: 'FIREDRILL_WEBHOOK_FAILED',
  PAGE_DESTINATION_INVALID: 'FIREDRILL_PAGE_DESTINATION_INVALID',
  PAGERDUTY_FAILED: 'FIREDRILL_PAGERDUTY_FAILED',
  RULES_FILE_INVALID: 'FIREDRILL_DETECTION_RULES_INVALID',
  REPLAY_NO_SERIES: 'FIREDRILL_REPLAY_NO_SERIES',
} as const

export class DetectionOptionsInvalidError extends FiredrillInputError {
  constructor(field: string, detail: string) {
    super(
      DetectionErrorCode.OPTIONS_INVALID,
      `Invalid detection options: ${field} ${detail}. Fix the detection section of the scenario.`,
    )
  }
}

export class PrometheusTextInvalidError extends FiredrillError {
  constructor(line: number, detail: string) {
    super(
      DetectionErrorCode.PROMETHEUS_TEXT_INVALID,
      `Failed to parse Prometheus metrics: line ${line}: ${detail}. The target must serve the text exposition format 0.0.4 on /metrics.`,
    )
  }
}

export class WebhookFailedError extends FiredrillError {
  constructor(url: string, detail: string, cause?: unknown) {
    super(
      DetectionErrorCode.WEBHOOK_FAILED,
      `Failed to deliver the alert webhook to ${url}: ${detail}. Check that the receiver is up and accepts POSTed JSON.`,
      { cause },
    )
  }
}

export class PageDestinationInvalidError extends FiredrillInputError {
  constructor(variable: string, detail: string) {
    super(
      DetectionErrorCode.PAGE_DESTINATION_INVALID,
      `Invalid page destination: ${variable} ${detail}. Fix or unset ${variable} in the environment.`,
    )
  }
}

export class PagerDutyFailedError extends FiredrillError {
  constructor(url: string, action: string, detail: string, cause?: unknown) {
    super(
      DetectionErrorCode.PAGERDUTY_FAILED,
      `Failed to send the PagerDuty ${action} event to ${url}: ${detail}. Check FIREDRILL_PAGERDUTY_URL and FIREDRILL_PAGERDUTY_ROUTING_KEY.`,
      { cause },
    )
  }
}

export interface RulesFileProblem {
  path: string
  expected: string
  got: string
}

export class RulesFileInvalidError extends FiredrillInputError {
  readonly problems: readonly RulesFileProblem[]
  constructor(file: string, problems: readonly RulesFileProblem[]) {
    super(
      DetectionErrorCode.RULES_FILE_INVALID,
      `Failed to load rules file "${file}": ${problems
        .slice(0, 5)
        .map((p) => `${p.path} ${p.expected} (got ${p.got})`)
        .join('; ')}. Fix the file: it holds burn-rate rules as a scenario's detection section does.`,
    )
    this.problems = problems
  }
}

export class ReplayNoSeriesError extends FiredrillInputError {
  constructor(journal: string) {
    super(
      DetectionErrorCode.REPLAY_NO_SERIES,
      `The journal ${journal} holds no SLI series (no sli.sampled events): it was written before drills journalled what they scraped, or the run ended before traffic started. Replay a run made with this version.`,
    )
  }
}
