import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TrafficErrorCode } from './errors.ts'
import { createOrderGenerator, type OrderGeneratorOptions } from './order-generator.ts'

const base: OrderGeneratorOptions = { seed: 7, couponShare: 0.2, itemsPerOrder: { min: 1, max: 4 } }

const take = (options: OrderGeneratorOptions, n: number) => {
  const generator = createOrderGenerator(options)
  return Array.from({ length: n }, () => generator.next())
}

describe('order generator', () => {
  it('gives the same sequence for the same seed', () => {
    expect(take(base, 50)).toEqual(take(base, 50))
  })

  it('gives the same sequence for any seed and options, and a different one for another seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 49 }),
        (seed, couponShare, min, spread) => {
          const options = { seed, couponShare, itemsPerOrder: { min, max: Math.min(50, min + spread) } }
          const first = take(options, 5)
          expect(take(options, 5)).toEqual(first)
          expect(take({ ...options, seed: seed + 1 }, 5).map((o) => o.requestId)).not.toEqual(
            first.map((o) => o.requestId),
          )
        },
      ),
      { numRuns: 50 },
    )
  })

  it('builds bodies the order endpoint accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 50 }), (seed, max) => {
        for (const { body } of take({ seed, couponShare: 0.5, itemsPerOrder: { min: 1, max } }, 20)) {
          expect(body.items.length).toBeGreaterThanOrEqual(1)
          expect(body.items.length).toBeLessThanOrEqual(max)
          expect(['EUR', 'USD', 'GBP']).toContain(body.currency)
          expect(body.customerId).toMatch(/^cus_[a-z0-9]{12}$/)
          for (const item of body.items) {
            expect(Number.isInteger(item.qty) && item.qty >= 1).toBe(true)
            expect(Number.isInteger(item.unitPriceCents) && item.unitPriceCents >= 0).toBe(true)
          }
          if ('couponCode' in body) expect(body.couponCode).toMatch(/^[A-Z0-9]+$/)
        }
      }),
      { numRuns: 50 },
    )
  })

  it('brings customers back from a seeded pool, so flag buckets stay stable', () => {
    const orders = take({ ...base, customers: 10 }, 200)
    const customers = new Set(orders.map((o) => o.body.customerId))
    expect(customers.size).toBeLessThanOrEqual(10)
    expect(customers.size).toBeGreaterThan(5)
  })

  it('puts a coupon on about couponShare of the orders, and none at 0', () => {
    const withCoupon = take({ ...base, couponShare: 0.3 }, 2000).filter((o) => o.body.couponCode).length
    expect(withCoupon / 2000).toBeGreaterThan(0.25)
    expect(withCoupon / 2000).toBeLessThan(0.35)
    expect(take({ ...base, couponShare: 0 }, 200).some((o) => o.body.couponCode)).toBe(false)
    expect(take({ ...base, couponShare: 1 }, 200).every((o) => o.body.couponCode)).toBe(true)
  })

  it('leaves the global faker alone', async () => {
    const { faker } = await import('@faker-js/faker')
    faker.seed(1)
    const expected = faker.string.uuid()
    faker.seed(1)
    take(base, 10)
    expect(faker.string.uuid()).toBe(expected)
  })

  it('refuses impossible options', () => {
    for (const bad of [
      { ...base, couponShare: 1.5 },
      { ...base, itemsPerOrder: { min: 3, max: 2 } },
      { ...base, itemsPerOrder: { min: 1, max: 51 } },
      { ...base, customers: 0 },
      { ...base, currencies: [] },
    ]) {
      expect(() => createOrderGenerator(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: TrafficErrorCode.OPTIONS_INVALID }),
      )
    }
  })
})
