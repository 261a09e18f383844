import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newPricing } from './new-pricing.ts'
import { standardPricing } from './standard-pricing.ts'

const item = fc.record({
  sku: fc.string({ minLength: 1, maxLength: 8 }),
  qty: fc.integer({ min: 1, max: 20 }),
  unitPriceCents: fc.integer({ min: 0, max: 100_000 }),
})
const order = fc.record({
  items: fc.array(item, { minLength: 1, maxLength: 20 }),
  couponCode: fc.option(fc.constantFrom('SAVE10', 'VIP20', 'BUNDLE15', 'WELCOME5', 'save10'), {
    nil: undefined,
  }),
})

describe('pricing', () => {
  it('new pricing totals exactly what standard pricing totals, for any order with a catalog coupon or none', () => {
    fc.assert(
      fc.property(order, (o) => {
        expect(newPricing(o)).toEqual(standardPricing(o))
      }),
    )
  })

  it('never discounts below zero or above the subtotal', () => {
    fc.assert(
      fc.property(order, (o) => {
        const p = standardPricing(o)
        expect(p.totalCents).toBeGreaterThanOrEqual(0)
        expect(p.totalCents).toBeLessThanOrEqual(p.subtotalCents)
      }),
    )
  })

  it('applies a percent coupon and ignores an unknown one', () => {
    const items = [{ sku: 'A', qty: 3, unitPriceCents: 999 }]
    expect(standardPricing({ items, couponCode: 'SAVE10' })).toEqual({
      subtotalCents: 2997,
      discountCents: 299,
      totalCents: 2698,
      couponApplied: 'SAVE10',
    })
    expect(standardPricing({ items, couponCode: 'BOGUS' })).toEqual({
      subtotalCents: 2997,
      discountCents: 0,
      totalCents: 2997,
    })
  })

  it('applies an amount coupon only above its minimum', () => {
    expect(
      standardPricing({ items: [{ sku: 'A', qty: 1, unitPriceCents: 1999 }], couponCode: 'WELCOME5' })
        .discountCents,
    ).toBe(0)
    expect(
      standardPricing({ items: [{ sku: 'A', qty: 1, unitPriceCents: 2000 }], couponCode: 'WELCOME5' })
        .discountCents,
    ).toBe(500)
  })
})
