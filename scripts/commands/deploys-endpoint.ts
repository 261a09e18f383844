import { DEPLOYS_TOKEN_ENV, DEPLOYS_URL_ENV } from '../../simulator/drill/deploys-api.ts'
import { UsageError } from '../cli-errors.ts'

/**
 * Where a running drill's deploys API (and the queue control beside it) answers, and its token: `--deploys-url`
 * or `FIREDRILL_DEPLOYS_URL`, and the token from the environment, as the drill's page prints them. A missing or
 * malformed one is a usage error naming what to set.
 */
export function deploysEndpoint(
  urlOption: string | undefined,
  usage: string,
): { baseUrl: string; token: string } {
  const baseUrl = urlOption ?? process.env[DEPLOYS_URL_ENV]
  if (baseUrl === undefined || baseUrl === '')
    throw new UsageError(
      `No deploys API: pass --deploys-url or set ${DEPLOYS_URL_ENV} to the URL the drill's page prints.\n${usage}`,
      usage,
    )
  if (!URL.canParse(baseUrl))
    throw new UsageError(
      `--deploys-url must be a URL like http://127.0.0.1:40123 (got "${baseUrl}").\n${usage}`,
      usage,
    )
  const token = process.env[DEPLOYS_TOKEN_ENV]
  if (token === undefined || token.trim() === '')
    throw new UsageError(
      `${DEPLOYS_TOKEN_ENV} is not set: export the token the drill's page prints.\n${usage}`,
      usage,
    )
  return { baseUrl, token }
}
