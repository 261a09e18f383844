import { en, Faker } from '@faker-js/faker'
import { TrafficOptionsInvalidError } from './errors.ts'
import type { Currency, GeneratedOrder, OrderItem } from './order-request.ts'

export interface OrderGeneratorOptions {
  /** Everything the generator draws comes from this seed: same seed, same sequence. */
  seed: number
  /** Share of orders that carry a coupon code, 0..1. */
  couponShare: number
  /** How many line items an order has (inclusive bounds, 1..50). */
  itemsPerOrder: { min: number; max: number }
  /** Currencies to draw from, uniformly. @defaultValue ['EUR', 'USD', 'GBP'] */
  currencies?: readonly Currency[]
  /** Size of the customer pool; customers come back, so flag rollouts bucketed by customerId stay stable. @defaultValue 500 */
  customers?: number
}

export interface OrderGenerator {
  next(): GeneratedOrder
}

const SKU_POOL_SIZE = 100
const COUPONS = ['SPRING10', 'WELCOME5', 'FREESHIP', 'VIP20', 'BUNDLE15'] as const

/**
 * A deterministic sequence of `POST /orders` bodies. It owns a dedicated, seeded Faker instance (never the
 * global one), draws its customer and SKU pools from it first, then every order in turn.
 */
export function createOrderGenerator(options: OrderGeneratorOptions): OrderGenerator {
  const { seed, couponShare, itemsPerOrder } = options
  const currencies = options.currencies ?? ['EUR', 'USD', 'GBP']
  const customerCount = options.customers ?? 500
  if (!Number.isInteger(seed))
    throw new TrafficOptionsInvalidError('seed', `must be an integer (got ${seed})`)
  if (!(couponShare >= 0 && couponShare <= 1))
    throw new TrafficOptionsInvalidError('couponShare', `must be between 0 and 1 (got ${couponShare})`)
  const { min, max } = itemsPerOrder
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 50 || min > max)
    throw new TrafficOptionsInvalidError(
      'itemsPerOrder',
      `must be integers with 1 <= min <= max <= 50 (got ${min}..${max})`,
    )
  if (currencies.length === 0)
    throw new TrafficOptionsInvalidError('currencies', 'must name at least one currency')
  if (!Number.isInteger(customerCount) || customerCount < 1)
    throw new TrafficOptionsInvalidError('customers', `must be a positive integer (got ${customerCount})`)

  const faker = new Faker({ locale: en })
  faker.seed(seed)
  const customers = Array.from(
    { length: customerCount },
    () => `cus_${faker.string.alphanumeric({ length: 12, casing: 'lower' })}`,
  )
  const skus = Array.from({ length: SKU_POOL_SIZE }, () => ({
    sku: `SKU-${faker.string.alphanumeric({ length: 8, casing: 'upper' })}`,
    unitPriceCents: faker.number.int({ min: 99, max: 25_000 }),
  }))
  let seq = 0

  return {
    next() {
      const items: OrderItem[] = Array.from({ length: faker.number.int({ min, max }) }, () => {
        const { sku, unitPriceCents } = faker.helpers.arrayElement(skus)
        return { sku, qty: faker.number.int({ min: 1, max: 5 }), unitPriceCents }
      })
      const customerId = faker.helpers.arrayElement(customers)
      const currency = faker.helpers.arrayElement(currencies)
      const withCoupon = faker.number.float({ min: 0, max: 1 }) < couponShare
      const couponCode = withCoupon ? faker.helpers.arrayElement(COUPONS) : undefined
      const requestId = faker.string.uuid()
      const order: GeneratedOrder = {
        seq: seq++,
        requestId,
        body:
          couponCode === undefined
            ? { customerId, items, currency }
            : { customerId, items, currency, couponCode },
      }
      return order
    },
  }
}
