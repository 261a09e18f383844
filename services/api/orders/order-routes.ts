import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Queue } from 'bullmq'
import type { FastifyPluginAsync } from 'fastify'
import {
  FULFILMENT_JOB_NAME,
  type FulfilmentJobData,
  fulfilmentJobOptions,
} from '../../orders/fulfilment-job.ts'
import type { Order } from '../../orders/order.ts'
import type { OrderStore } from '../../orders/order-store.ts'
import { ApiErrorCode } from '../api-errors.ts'
import type { ApiMetrics } from '../api-metrics.ts'
import { ApiFlags, type FlagEvaluator } from '../flag-evaluator.ts'
import { priceOrder } from '../pricing/price-order.ts'
import { findLoneSurrogate } from './find-lone-surrogate.ts'
import { CreatedOrder, CreateOrderBody, ErrorBody, OrderParams, OrderView } from './order-schemas.ts'

export interface OrderRoutesOptions {
  store: OrderStore
  queue: Queue<FulfilmentJobData>
  flags: FlagEvaluator
  metrics: ApiMetrics
  now: () => Date
}

/** Thrown when Redis (orders or queue) cannot be reached: the client gets 503 and may retry. */
export class StoreUnavailable extends Error {
  readonly code = ApiErrorCode.STORE_UNAVAILABLE
  readonly statusCode = 503
  constructor(cause: unknown) {
    super('The order store is unavailable; retry shortly.', { cause })
  }
}

export const orderRoutes: FastifyPluginAsync<OrderRoutesOptions> = async (fastify, opts) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { store, queue, flags, metrics } = opts

  app.post(
    '/orders',
    {
      schema: {
        body: CreateOrderBody,
        response: { 201: CreatedOrder, 400: ErrorBody, 503: ErrorBody, 500: ErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body
      const illFormed = findLoneSurrogate(body, 'body')
      if (illFormed !== undefined) {
        metrics.ordersRejected.inc({ reason: 'invalid' })
        return reply.code(400).send({
          statusCode: 400,
          code: ApiErrorCode.INVALID_REQUEST,
          error: 'Bad Request',
          message:
            `${illFormed} holds a lone UTF-16 surrogate (half of a \\uD800-\\uDFFF pair), which is not text. ` +
            'Send well-formed Unicode.',
        })
      }
      const accepting = await flags.isEnabled(ApiFlags.acceptingOrders, body.customerId, true)
      metrics.flagEvaluations.inc({ flag: ApiFlags.acceptingOrders, value: String(accepting) })
      if (!accepting) {
        metrics.ordersRejected.inc({ reason: 'paused' })
        return reply.code(503).send({
          statusCode: 503,
          code: ApiErrorCode.ORDERS_PAUSED,
          error: 'Service Unavailable',
          message: 'The shop is not taking orders right now (kill switch checkout.accepting-orders is off).',
        })
      }
      const useNew = await flags.isEnabled(ApiFlags.newPricing, body.customerId, false)
      metrics.flagEvaluations.inc({ flag: ApiFlags.newPricing, value: String(useNew) })
      const pricing = useNew ? 'new' : 'standard'
      const priced = priceOrder({ items: body.items, couponCode: body.couponCode }, pricing)

      const at = opts.now().toISOString()
      const order: Order = {
        id: randomUUID(),
        customerId: body.customerId,
        items: body.items,
        currency: body.currency,
        totalCents: priced.totalCents,
        pricing,
        status: 'pending',
        createdAt: at,
        updatedAt: at,
      }
      if (body.couponCode !== undefined) order.couponCode = body.couponCode
      try {
        await store.create(order)
      } catch (err) {
        metrics.ordersRejected.inc({ reason: 'store_unavailable' })
        throw new StoreUnavailable(err)
      }
      try {
        await queue.add(FULFILMENT_JOB_NAME, { orderId: order.id }, fulfilmentJobOptions(order.id))
      } catch (err) {
        metrics.ordersRejected.inc({ reason: 'store_unavailable' })
        throw new StoreUnavailable(err)
      }
      metrics.ordersCreated.inc({ pricing })
      return reply.code(201).send({ orderId: order.id, totalCents: order.totalCents, status: order.status })
    },
  )

  app.get(
    '/orders/:id',
    { schema: { params: OrderParams, response: { 200: OrderView, 404: ErrorBody, 503: ErrorBody } } },
    async (request, reply) => {
      let order: Order | undefined
      try {
        order = await store.get(request.params.id)
      } catch (err) {
        throw new StoreUnavailable(err)
      }
      if (order === undefined) {
        return reply.code(404).send({
          statusCode: 404,
          code: ApiErrorCode.ORDER_NOT_FOUND,
          error: 'Not Found',
          message: `No order with id "${request.params.id}".`,
        })
      }
      const { id, ...rest } = order
      return { orderId: id, ...rest }
    },
  )
}
