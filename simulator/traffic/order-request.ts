export type Currency = 'EUR' | 'USD' | 'GBP'

export interface OrderItem {
  sku: string
  qty: number
  unitPriceCents: number
}

/** The JSON body of `POST /orders`. */
export interface OrderRequest {
  customerId: string
  items: OrderItem[]
  currency: Currency
  couponCode?: string
}

/** One generated order: its place in the sequence, a request id, and the body to send. */
export interface GeneratedOrder {
  seq: number
  requestId: string
  body: OrderRequest
}
