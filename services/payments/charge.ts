import { type Static, Type } from '@sinclair/typebox'

/** The card token the provider always declines (like Stripe's test cards): explicit, never by chance. */
export const DECLINED_CARD_TOKEN = 'tok_declined'

export const ChargeRequestSchema = Type.Object(
  {
    amountCents: Type.Integer({ minimum: 1 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    orderId: Type.String({ minLength: 1, maxLength: 200 }),
    cardToken: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)

export type ChargeRequest = Static<typeof ChargeRequestSchema>

export const ChargeSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  amountCents: Type.Integer(),
  currency: Type.String(),
  status: Type.Literal('succeeded'),
  idempotencyKey: Type.String(),
  createdAt: Type.String(),
})

/** A charge as the provider records and returns it. */
export type Charge = Static<typeof ChargeSchema>

/** A page of charges, as the provider lists them (`GET /v1/charges?idempotency_key=…`). */
export const ChargeListSchema = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(ChargeSchema),
})

export type ChargeList = Static<typeof ChargeListSchema>

export const ProviderErrorSchema = Type.Object({
  error: Type.Object({ type: Type.String(), code: Type.String() }),
})

export type ProviderErrorBody = Static<typeof ProviderErrorSchema>
