import assert from 'node:assert/strict'
import { test } from 'node:test'
import { quote } from './quote.mjs'

const rate = async () => 1.25

test('the standard path quotes the amount as it is', async () => {
  const answer = await quote({ customer: 'c-1', amount: 100 }, { fxV2: false, rate })
  assert.deepEqual(answer, {
    status: 200,
    body: { customer: 'c-1', amount: 100, total: 100, pricing: 'standard' },
  })
})

test('the fx-v2 path converts the amount at the exchange rate', async () => {
  const answer = await quote({ customer: 'c-2', amount: 100 }, { fxV2: true, rate })
  assert.deepEqual(answer.body, { customer: 'c-2', amount: 100, total: 125, pricing: 'fx-v2' })
})
