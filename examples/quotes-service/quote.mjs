// How the quote service prices one quote, apart from HTTP, so its tests run with `node --test` and nothing else.
// The fx-v2 path (behind the flag quotes.fx-v2) converts the total at the exchange rate its dependency gives.

/**
 * Prices `body` (`{ customer, amount }`): the standard price, or on the fx-v2 path the amount at the exchange
 * rate `rate()` resolves with. Resolves with the HTTP status and body to answer.
 */
export async function quote(body, { fxV2, rate }) {
  const customer = String(body.customer ?? 'anonymous')
  const amount = Number(body.amount ?? 0)
  if (!fxV2) return { status: 200, body: { customer, amount, total: amount, pricing: 'standard' } }
  const eur = await rate()
  return { status: 200, body: { customer, amount, total: Math.round(amount * eur), pricing: 'fx-v2' } }
}
