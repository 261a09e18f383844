import type { Order } from '../orders/order.ts'

/**
 * The card token the shop keeps on file for an order's customer. The customer `declined` holds the provider's
 * declined test card (`tok_declined`), so a drill or a test can ask for a decline explicitly.
 */
export function cardOnFile(order: Pick<Order, 'customerId'>): string {
  return `tok_${order.customerId}`
}
