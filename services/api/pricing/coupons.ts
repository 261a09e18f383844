/** A coupon takes a percentage off, or a fixed amount off an order above a minimum. */
export type Coupon =
  | { code: string; kind: 'percent'; percent: number }
  | { code: string; kind: 'amount'; amountCents: number; minSubtotalCents: number }

/**
 * The shop's coupon catalog. An unknown code (a mistyped or expired one, such as last season's SPRING10) is not
 * an error: the order is priced without a discount.
 */
export const COUPONS: ReadonlyMap<string, Coupon> = new Map(
  (
    [
      { code: 'SAVE10', kind: 'percent', percent: 10 },
      { code: 'BUNDLE15', kind: 'percent', percent: 15 },
      { code: 'VIP20', kind: 'percent', percent: 20 },
      { code: 'WELCOME5', kind: 'amount', amountCents: 500, minSubtotalCents: 2000 },
    ] as const satisfies readonly Coupon[]
  ).map((c) => [c.code, c]),
)

export function findCoupon(code: string | undefined): Coupon | undefined {
  return code === undefined ? undefined : COUPONS.get(code.trim().toUpperCase())
}
