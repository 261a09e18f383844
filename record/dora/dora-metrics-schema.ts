import { type Static, Type } from '@sinclair/typebox'
import type { DoraMetrics } from './dora-metrics.ts'

const Closed = { additionalProperties: false } as const
const Count = Type.Integer({ minimum: 0 })
const NullableNumber = Type.Union([Type.Number({ minimum: 0 }), Type.Null()])

/** `DoraMetrics` as a schema, for documents that carry them (the postmortem's `dora`). */
export const DoraMetricsSchema = Type.Object(
  {
    period: Type.Object(
      { since: Type.Union([Type.String(), Type.Null()]), until: Type.String(), days: NullableNumber },
      Closed,
    ),
    deploymentFrequency: Type.Object(
      {
        perDay: NullableNumber,
        deployments: Count,
        days: NullableNumber,
        medianDeployDaysPerWeek: NullableNumber,
      },
      Closed,
    ),
    changeLeadTime: Type.Object({ medianMs: NullableNumber, changes: Count }, Closed),
    changeFailureRate: Type.Object(
      { rate: NullableNumber, failedDeployments: Count, deployments: Count },
      Closed,
    ),
    failedDeploymentRecoveryTime: Type.Object({ medianMs: NullableNumber, incidents: Count }, Closed),
    deploymentReworkRate: Type.Object(
      { rate: NullableNumber, reworkDeployments: Count, deployments: Count },
      Closed,
    ),
  },
  Closed,
)

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/** The schema and the `DoraMetrics` interface describe the same shape; the type check fails when they drift. */
true satisfies Same<Static<typeof DoraMetricsSchema>, DoraMetrics>
