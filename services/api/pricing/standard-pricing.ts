import { findCoupon } from './coupons.ts'
import type { PricedOrder, PricingInput } from './priced-order.ts'

/** The pricing path every order takes by default: subtotal, then one discount on the whole order. */
export function standardPricing(input: PricingInput): PricedOrder {
  const subtotalCents = input.items.reduce((sum, item) => sum + item.qty * item.unitPriceCents, 0)
  const coupon = findCoupon(input.couponCode)
  let discountCents = 0
  if (coupon?.kind === 'percent') discountCents = Math.floor((subtotalCents * coupon.percent) / 100)
  if (coupon?.kind === 'amount' && subtotalCents >= coupon.minSubtotalCents)
    discountCents = coupon.amountCents
  const priced: PricedOrder = { subtotalCents, discountCents, totalCents: subtotalCents - discountCents }
  if (coupon !== undefined && discountCents > 0) priced.couponApplied = coupon.code
  return priced
}
