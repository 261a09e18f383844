import { beforeAll, describe, expect, it } from 'vitest'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { buildConsoleApp } from './console-app.ts'
import { TrainingSession } from './training-session.ts'

const tokens = { trainee: 'trainee-token', facilitator: 'facilitator-token' }
let app: ReturnType<typeof buildConsoleApp>
let session: TrainingSession

beforeAll(async () => {
  session = new TrainingSession({ loaded: await loadScenario('bad-pricing'), trainee: 'ana', tokens })
  app = buildConsoleApp({ session })
})

const post = (url: string, token: string, payload: unknown) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}` },
    payload: payload as object,
  })

describe("the console's API", () => {
  it('refuses a body that does not fit, naming the field and what it must be', async () => {
    const extra = await post('/api/trainee/status', tokens.trainee, { text: 'x', by: 'someone-else' })
    expect(extra.statusCode).toBe(400)
    expect(extra.json()).toEqual({ code: 'FIREDRILL_CONSOLE_INVALID', message: 'by is not allowed here.' })
    const empty = await post('/api/trainee/status', tokens.trainee, { text: '' })
    expect(empty.json().message).toBe('text must be 1 to 1000 characters.')
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/trainee/status',
      headers: { authorization: `Bearer ${tokens.trainee}`, 'content-type': 'application/json' },
      payload: '{"text": ',
    })
    expect(notJson.statusCode).toBe(400)
    expect(notJson.json()).toMatchObject({ code: 'FIREDRILL_CONSOLE_INVALID' })
    const review = await post('/api/facilitator/review', tokens.facilitator, { approved: 'yes' })
    expect(review.json().message).toBe('approved must be true or false.')
  })

  it('says plainly when an action comes too early: no page yet, no plan to review, no drill to post to', async () => {
    const ack = await post('/api/trainee/acknowledge', tokens.trainee, {})
    expect(ack.statusCode).toBe(409)
    expect(ack.json()).toMatchObject({
      code: 'FIREDRILL_CONSOLE_NOT_YET',
      message: expect.stringMatching(/nothing has paged you/),
    })
    const flag = await post('/api/trainee/flags/checkout.gift-messages', tokens.trainee, {
      turn: 'off',
      reason: 'r',
    })
    expect(flag.statusCode).toBe(409)
    const rollback = await post('/api/trainee/rollback', tokens.trainee, { reason: 'the latest deploy' })
    expect(rollback.json()).toMatchObject({ code: 'FIREDRILL_CONSOLE_NOT_YET' })
    const pause = await post('/api/trainee/queue/pause', tokens.trainee, { reason: 'hold the orders' })
    expect(pause.statusCode).toBe(409)
    expect(pause.json()).toMatchObject({ code: 'FIREDRILL_CONSOLE_NOT_YET' })
    const unexplained = await post('/api/trainee/queue/resume', tokens.trainee, {})
    expect(unexplained.statusCode).toBe(400)
    const review = await post('/api/facilitator/review', tokens.facilitator, { approved: true })
    expect(review.json().message).toMatch(/no plan to review yet/)
    const hint = await post('/api/facilitator/hint', tokens.facilitator, { text: 'look at the flags' })
    expect(hint.json()).toMatchObject({
      code: 'FIREDRILL_CONSOLE_NOT_YET',
      message: 'The drill has not started yet.',
    })
  })

  it('serves a runbook for each SLO of the scenario, and a clear 404 for any other', async () => {
    const known = await app.inject(`/runbooks/orders-availability?token=${tokens.trainee}`)
    expect(known.statusCode).toBe(200)
    expect(known.body).toContain('Runbook: SLO orders-availability burning its error budget')
    expect(known.body).not.toContain(session.loaded.scenario.change.flag)
    const unknown = await app.inject(`/runbooks/orders-nothing?token=${tokens.trainee}`)
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().message).toBe('No runbook for SLO "orders-nothing".')
    const asset = await app.inject(`/assets/..%2Fconsole-app.ts?token=${tokens.trainee}`)
    expect(asset.statusCode).toBe(404)
  })
})
