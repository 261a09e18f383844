import { type Static, Type } from '@sinclair/typebox'
import { schemaProblems } from '../../services/platform/schema-problems.ts'
import { ProxyFaultInvalidError } from './fault-proxy-errors.ts'

const Percent = Type.Integer({ minimum: 0, maximum: 100 })

/**
 * What the fault proxy does to the requests it passes on. Each fault strikes its own share of requests
 * (`percent`, default 100 for latency); a request may be delayed and then answered with a status or reset.
 * With `seed`, whether a fault strikes a request is a function of the seed and the request (its
 * `x-request-id`, else its number on that proxy), so a drill replays the same faults.
 */
export const ProxyFaultSchema = Type.Object(
  {
    /** Wait `ms` before passing the request on (or answering it with a fault). */
    latency: Type.Optional(
      Type.Object(
        { ms: Type.Integer({ minimum: 0, maximum: 600_000 }), percent: Type.Optional(Percent) },
        { additionalProperties: false },
      ),
    ),
    /** Answer `code` instead of passing the request on. */
    status: Type.Optional(
      Type.Object(
        { code: Type.Integer({ minimum: 400, maximum: 599 }), percent: Percent },
        { additionalProperties: false },
      ),
    ),
    /** Reset the client's connection (a TCP RST: the client sees ECONNRESET) instead of answering. */
    reset: Type.Optional(Type.Object({ percent: Percent }, { additionalProperties: false })),
    /** Makes every decision a function of the seed and the request. @defaultValue none: random */
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  { additionalProperties: false },
)

export type ProxyFault = Static<typeof ProxyFaultSchema>

/** Checks a fault against its schema; a mismatch is `FIREDRILL_PROXY_FAULT_INVALID`, naming the field. */
export function parseProxyFault(value: unknown, source: string): ProxyFault {
  const [problem] = schemaProblems(ProxyFaultSchema, value)
  if (problem !== undefined)
    throw new ProxyFaultInvalidError(source, problem.path, `${problem.expected} (got ${problem.got})`)
  const fault = value as ProxyFault
  if (fault.latency === undefined && fault.status === undefined && fault.reset === undefined)
    throw new ProxyFaultInvalidError(source, '(root)', 'names no fault: set latency, status or reset')
  return Object.freeze(structuredClone(fault))
}
