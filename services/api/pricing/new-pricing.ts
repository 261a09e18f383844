import { findCoupon } from './coupons.ts'
import type { PricedOrder, PricingInput } from './priced-order.ts'

/**
 * The pricing path behind `checkout.new-pricing`: prices line by line and spreads an order's discount over its
 * lines (largest remainder first), so invoices can show a discount per line. It must total exactly what
 * `standardPricing` totals; a property test holds the two together.
 */
export function newPricing(input: PricingInput): PricedOrder {
  const lines = input.items.map((item) => item.qty * item.unitPriceCents)
  const subtotalCents = lines.reduce((sum, line) => sum + line, 0)
  const coupon = findCoupon(input.couponCode)
  let discountCents = 0
  if (coupon?.kind === 'percent') discountCents = allocate(lines, coupon.percent, subtotalCents)
  if (coupon?.kind === 'amount' && subtotalCents >= coupon.minSubtotalCents)
    discountCents = coupon.amountCents
  const priced: PricedOrder = { subtotalCents, discountCents, totalCents: subtotalCents - discountCents }
  if (coupon !== undefined && discountCents > 0) priced.couponApplied = coupon.code
  return priced
}

/** Splits floor(subtotal × percent / 100) over the lines by largest remainder; returns the allocated sum. */
function allocate(lines: readonly number[], percent: number, subtotalCents: number): number {
  const target = Math.floor((subtotalCents * percent) / 100)
  const exact = lines.map((line) => (line * percent) / 100)
  const shares = exact.map((x) => Math.floor(x))
  let left = target - shares.reduce((a, b) => a + b, 0)
  const byRemainder = exact
    .map((x, i) => ({ i, r: x - Math.floor(x) }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of byRemainder) {
    if (left <= 0) break
    shares[i] = (shares[i] ?? 0) + 1
    left -= 1
  }
  return shares.reduce((a, b) => a + b, 0)
}
