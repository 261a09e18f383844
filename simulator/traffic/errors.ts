import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/**
 * Error codes of the traffic generator. A code is never reused.
 * When the simulator gets one registry for all its parts, these move there unchanged.
 */
export const TrafficErrorCode = {
  OPTIONS_INVALID: 'FIREDRILL_TRAFFIC_OPTIONS_INVALID',
} as const

export class TrafficOptionsInvalidError extends FiredrillInputError {
  constructor(field: string, detail: string) {
    super(
      TrafficErrorCode.OPTIONS_INVALID,
      `Invalid traffic options: ${field} ${detail}. Fix the traffic section of the scenario.`,
    )
  }
}
