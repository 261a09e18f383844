import { newPricing } from './new-pricing.ts'
import type { PricedOrder, PricingInput } from './priced-order.ts'
import { standardPricing } from './standard-pricing.ts'

export type PricingPath = 'standard' | 'new'

/** Prices an order on the path the `checkout.new-pricing` flag chose for this customer. */
export function priceOrder(input: PricingInput, path: PricingPath): PricedOrder {
  return path === 'new' ? newPricing(input) : standardPricing(input)
}
