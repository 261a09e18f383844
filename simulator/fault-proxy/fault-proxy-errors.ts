import { FiredrillInputError } from '../../services/platform/firedrill-error.ts'

/** Error codes of the HTTP fault proxy. A code is never reused; add new ones at the end. */
export const FaultProxyErrorCode = {
  FAULT_INVALID: 'FIREDRILL_PROXY_FAULT_INVALID',
  TARGET_INVALID: 'FIREDRILL_PROXY_TARGET_INVALID',
} as const

/** A fault configuration that does not match its schema; `field` names the part at fault. */
export class ProxyFaultInvalidError extends FiredrillInputError {
  readonly field: string

  constructor(source: string, field: string, detail: string) {
    super(
      FaultProxyErrorCode.FAULT_INVALID,
      `Invalid proxy fault from ${source}: ${field} ${detail}. Fix it and try again (firedrill proxy --help shows every option).`,
    )
    this.field = field
  }
}

/** A `--target` that is not an http:// URL with a host. */
export class ProxyTargetInvalidError extends FiredrillInputError {
  constructor(target: string) {
    super(
      FaultProxyErrorCode.TARGET_INVALID,
      `--target must be the http:// URL of the dependency to stand in front of, like http://127.0.0.1:4000 (got "${target}").`,
    )
  }
}
