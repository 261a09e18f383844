import { type Static, Type } from '@sinclair/typebox'

/*
 * What Alertmanager POSTs to a webhook receiver (version 4), as it really sends it: every field present,
 * `annotations` `{}` when an alert has none, `generatorURL` "" when unknown, times in RFC 3339 with up to
 * nanoseconds, `endsAt` "0001-01-01T00:00:00Z" while firing. Unknown fields a later version may add are
 * accepted; a missing or mistyped field is something Alertmanager never sends.
 */

const Labels = Type.Record(Type.String(), Type.String(), { expected: 'a mapping of names to strings' })
const Status = Type.Union([Type.Literal('firing'), Type.Literal('resolved')])
const Time = Type.String({ minLength: 1, expected: 'an RFC 3339 time like 2026-01-01T12:00:00Z' })

export const ReceivedAlertSchema = Type.Object({
  status: Status,
  labels: Labels,
  annotations: Labels,
  startsAt: Time,
  endsAt: Time,
  generatorURL: Type.String(),
  fingerprint: Type.String(),
})

export const ReceivedWebhookSchema = Type.Object({
  version: Type.Literal('4'),
  groupKey: Type.String(),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Status,
  receiver: Type.String(),
  groupLabels: Labels,
  commonLabels: Labels,
  commonAnnotations: Labels,
  externalURL: Type.String(),
  alerts: Type.Array(ReceivedAlertSchema, { minItems: 1 }),
})

export type ReceivedAlert = Static<typeof ReceivedAlertSchema>
export type ReceivedWebhook = Static<typeof ReceivedWebhookSchema>
