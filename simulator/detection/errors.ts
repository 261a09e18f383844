import { FiredrillError, FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/**
 * Error codes of detection (scraping, burn-rate alerts, webhooks). A code is never reused.
 * When the simulator gets one registry for all its parts, these move there unchanged.
 */
export const DetectionErrorCode = {
  OPTIONS_INVALID: 'FIREDRILL_DETECTION_OPTIONS_INVALID',
  PROMETHEUS_TEXT_INVALID: 'FIREDRILL_PROMETHEUS_TEXT_INVALID',
  WEBHOOK_FAILED: 'FIREDRILL_WEBHOOK_FAILED',
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
