export type OrderStatus = 'pending' | 'paid' | 'failed'

export interface OrderItem {
  sku: string
  qty: number
  unitPriceCents: number
}

export interface Order {
  id: string
  customerId: string
  items: OrderItem[]
  currency: string
  couponCode?: string
  totalCents: number
  /** Which pricing path priced it: the standard one, or the one behind `checkout.new-pricing`. */
  pricing: 'standard' | 'new'
  status: OrderStatus
  createdAt: string
  updatedAt: string
  chargeId?: string
  failureReason?: string
}
