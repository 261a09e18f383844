import { describe, expect, it } from 'vitest'
import { ShopLogs } from './shop-logs.ts'

describe("the shop's logs on the console", () => {
  it('keeps the fields an on-call engineer reads, and leaves stacks, hosts and anything unlisted out', () => {
    const logs = new ShopLogs()
    const api = logs.logger.child({ service: 'api', instance: 'production-0' })
    api.info(
      { req: { method: 'POST', url: '/orders', remoteAddress: '127.0.0.1' }, reqId: 'req-1' },
      'incoming request',
    )
    const err = new Error('pricing failed\n    at price (/home/someone/pricing.ts:1:1)')
    api.error({ err, reqId: 'req-1', secret: 'not for the page' }, 'request failed')
    const [incoming, failed] = logs.recent(10, 10)
    expect(incoming).toMatchObject({
      level: 'info',
      source: 'api production-0',
      message: 'incoming request',
      fields: 'method=POST url=/orders reqId=req-1',
    })
    expect(failed).toMatchObject({ level: 'error', fields: 'reqId=req-1 error=Error: pricing failed' })
    expect(JSON.stringify(logs.recent(10, 10))).not.toMatch(/home|secret|127\.0\.0\.1|at price/)
  })

  it('keeps warnings and errors in sight when a burst of requests pushes them out of the latest lines', () => {
    const logs = new ShopLogs()
    logs.logger.warn({ orderId: 'o-1' }, 'fulfilment job failed')
    for (let i = 0; i < 2000; i++) logs.logger.info('incoming request')
    const lines = logs.recent(50, 10)
    expect(lines).toHaveLength(51)
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'fulfilment job failed', fields: 'orderId=o-1' })
  })
})
