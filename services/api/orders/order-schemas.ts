import { type Static, Type } from '@sinclair/typebox'

export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const

export const OrderItemSchema = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    qty: Type.Integer({ minimum: 1, maximum: 1000 }),
    unitPriceCents: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  },
  { additionalProperties: false },
)

export const CreateOrderBody = Type.Object(
  {
    customerId: Type.String({ minLength: 1, maxLength: 128 }),
    items: Type.Array(OrderItemSchema, { minItems: 1, maxItems: 50 }),
    currency: Type.Union(CURRENCIES.map((c) => Type.Literal(c))),
    couponCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
)
export type CreateOrderBody = Static<typeof CreateOrderBody>

export const OrderStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('paid'),
  Type.Literal('failed'),
])

export const CreatedOrder = Type.Object({
  orderId: Type.String(),
  totalCents: Type.Integer(),
  status: OrderStatusSchema,
})

export const OrderView = Type.Object({
  orderId: Type.String(),
  customerId: Type.String(),
  items: Type.Array(OrderItemSchema),
  currency: Type.String(),
  couponCode: Type.Optional(Type.String()),
  totalCents: Type.Integer(),
  pricing: Type.Union([Type.Literal('standard'), Type.Literal('new')]),
  status: OrderStatusSchema,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  chargeId: Type.Optional(Type.String()),
  failureReason: Type.Optional(Type.String()),
})

export const OrderParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
})
