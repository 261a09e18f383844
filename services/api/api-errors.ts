/** Error codes the checkout api answers with (the `code` field of an error body). A code is never reused. */
export const ApiErrorCode = {
  INVALID_REQUEST: 'FIREDRILL_API_INVALID_REQUEST',
  ORDER_NOT_FOUND: 'FIREDRILL_API_ORDER_NOT_FOUND',
  STORE_UNAVAILABLE: 'FIREDRILL_API_STORE_UNAVAILABLE',
  ORDERS_PAUSED: 'FIREDRILL_API_ORDERS_PAUSED',
  INTERNAL: 'FIREDRILL_API_INTERNAL',
} as const

export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode]
