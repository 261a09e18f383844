import { describe, expect, it } from 'vitest'
import { buildGroupApp } from './group-app.ts'

describe("the group facilitator's page", () => {
  it('opens only with its own token, and never sends it on in a Referer', async () => {
    const app = buildGroupApp({ trainings: [], token: 'group-token' })
    try {
      for (const url of ['/group', '/api/group/state', '/api/group/events', '/assets/group.js']) {
        expect((await app.inject({ url })).statusCode, url).toBe(401)
        expect((await app.inject({ url: `${url}?token=not-it` })).statusCode, url).toBe(401)
      }
      for (const url of ['/api/group/approve', '/api/group/abort'])
        expect((await app.inject({ method: 'POST', url, payload: {} })).statusCode, url).toBe(401)
      const page = await app.inject({ url: '/group?token=group-token' })
      expect(page.statusCode).toBe(200)
      expect(page.headers['referrer-policy']).toBe('no-referrer')
      expect(page.body).toContain('/assets/group.js?token=group-token')
      // A body its schema refuses is answered as the console answers one: 400, the field named in words.
      const refused = await app.inject({
        method: 'POST',
        url: '/api/group/abort?token=group-token',
        payload: { reason: 'x'.repeat(501) },
      })
      expect(refused.statusCode).toBe(400)
      expect(refused.json()).toEqual({
        code: 'FIREDRILL_CONSOLE_INVALID',
        message: 'reason must be a sentence of 1 to 500 characters saying why.',
      })
      // The trainee's script is not the group page's to serve.
      expect((await app.inject({ url: '/assets/trainee.js?token=group-token' })).statusCode).toBe(404)
    } finally {
      await app.close()
    }
  })
})
