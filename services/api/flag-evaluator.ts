/**
 * What the api needs from the flag service: a boolean answer per flag and customer that never throws.
 * The shop wires it to an OpenFeature client backed by the Redis flag provider; `fallback` is the flag's safe
 * value, served when the provider has nothing better.
 */
export interface FlagEvaluator {
  isEnabled(flag: string, targetingKey: string, fallback: boolean): Promise<boolean>
}

/** The flags the api reads. */
export const ApiFlags = {
  newPricing: 'checkout.new-pricing',
  acceptingOrders: 'checkout.accepting-orders',
} as const

/** A fixed answer for every flag: for tests and for running the api with no flag service. */
export function staticFlags(values: Readonly<Record<string, boolean>>): FlagEvaluator {
  return { isEnabled: async (flag, _key, fallback) => values[flag] ?? fallback }
}
