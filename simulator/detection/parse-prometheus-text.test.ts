import fc from 'fast-check'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { DetectionErrorCode } from './errors.ts'
import { parsePrometheusText } from './parse-prometheus-text.ts'

const labelValue = fc.string({ unit: 'grapheme', maxLength: 12 })
const nastyValue = fc.oneof(labelValue, fc.constantFrom('"', '\\', '\n', '\\n', 'a"b\\c\nd', '{}=,', ' '))

describe('Prometheus text parsing', () => {
  it('reads back every counter and gauge prom-client writes, whatever the label values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(nastyValue, nastyValue, fc.integer({ min: 1, max: 1_000_000 })), {
          minLength: 1,
          maxLength: 6,
          selector: ([route, status]) => JSON.stringify([route, status]),
        }),
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
        ),
        async (series, gaugeValue) => {
          const registry = new Registry()
          const counter = new Counter({
            name: 'http_requests_total',
            help: 'Requests, with "quotes" and \\ in help\nand a newline.',
            labelNames: ['route', 'status_code'],
            registers: [registry],
          })
          for (const [route, status_code, n] of series) counter.inc({ route, status_code }, n)
          const gauge = new Gauge({ name: 'some_gauge', help: 'g', registers: [registry] })
          gauge.set(gaugeValue)

          const samples = parsePrometheusText(await registry.metrics())
          const counted = samples.filter((s) => s.name === 'http_requests_total')
          expect(counted.map((s) => [s.labels.route, s.labels.status_code, s.value]).sort()).toEqual(
            series.map(([route, status, n]) => [route, status, n]).sort(),
          )
          const [g] = samples.filter((s) => s.name === 'some_gauge')
          expect(Object.is(g!.value, gaugeValue) || (g!.value === 0 && gaugeValue === 0)).toBe(true)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('reads histograms with their +Inf bucket, sum and count', async () => {
    const registry = new Registry()
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'h',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.1, 1],
      registers: [registry],
    })
    histogram.observe({ method: 'POST', route: '/orders', status_code: '201' }, 0.05)
    histogram.observe({ method: 'POST', route: '/orders', status_code: '201' }, 5)
    const samples = parsePrometheusText(await registry.metrics())
    const labels = { method: 'POST', route: '/orders', status_code: '201' }
    expect(samples).toEqual([
      { name: 'http_request_duration_seconds_bucket', labels: { le: '0.1', ...labels }, value: 1 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '1', ...labels }, value: 1 },
      { name: 'http_request_duration_seconds_bucket', labels: { le: '+Inf', ...labels }, value: 2 },
      { name: 'http_request_duration_seconds_sum', labels, value: 5.05 },
      { name: 'http_request_duration_seconds_count', labels, value: 2 },
    ])
  })

  it('accepts timestamps, spaces, CRLF and a trailing comma in the label set', () => {
    expect(parsePrometheusText('# TYPE a counter\r\n a{x="1",} 3 1700000000000\r\n\nb   -Inf\n')).toEqual([
      { name: 'a', labels: { x: '1' }, value: 3, timestamp: 1_700_000_000_000 },
      { name: 'b', labels: {}, value: Number.NEGATIVE_INFINITY },
    ])
  })

  it('names the line of anything that is not the exposition format', () => {
    for (const bad of [
      '{x="1"} 1',
      'a{x=1} 1',
      'a{x="1} 1',
      'a{x="\\q"} 1',
      'a one',
      'a',
      'a 1 2 3',
      'a{x="1" y="2"} 1',
    ]) {
      expect(() => parsePrometheusText(`ok 1\n${bad}`), bad).toThrow(
        expect.objectContaining({ code: DetectionErrorCode.PROMETHEUS_TEXT_INVALID }),
      )
    }
  })
})
