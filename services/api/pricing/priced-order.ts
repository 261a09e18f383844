import type { OrderItem } from '../../orders/order.ts'

export interface PricingInput {
  items: readonly OrderItem[]
  couponCode?: string | undefined
}

export interface PricedOrder {
  subtotalCents: number
  discountCents: number
  totalCents: number
  /** The coupon that was applied, if the code was known and the order qualified. */
  couponApplied?: string
}
