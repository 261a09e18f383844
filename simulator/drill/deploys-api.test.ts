import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from '../../scripts/cli.ts'
import { type DeployControls, DeploysHttpClient, startDeploysApi } from './deploys-api.ts'

const TOKEN = 'drill-token'
const before = {
  commit: 'a'.repeat(40),
  artifact: '1'.repeat(64),
  previous: null,
  dark: false,
  at: '2026-12-02T10:00:00.000Z',
}
const change = {
  commit: 'b'.repeat(40),
  artifact: '2'.repeat(64),
  previous: '1'.repeat(64),
  dark: false,
  at: '2026-12-02T10:01:00.000Z',
}

/** Production with two slots on the change; a rollback puts both back on the build before it, once. */
function controls(): DeployControls & { rollbacks: { by: string; reason: string }[] } {
  const rollbacks: { by: string; reason: string }[] = []
  let running = change.artifact
  return {
    rollbacks,
    history: () =>
      rollbacks.length === 0
        ? [before, change]
        : [
            before,
            change,
            { ...before, at: change.at, rollbackOf: { artifact: change.artifact, by: rollbacks[0]!.by } },
          ],
    // Slot 2 is a blue-green release's idle set: it runs the build before and takes no traffic.
    slots: () => [
      ...[0, 1].map((slot) => ({ slot, url: null, commit: null, contentHash: running })),
      { slot: 2, url: null, commit: null, contentHash: before.artifact, live: false },
    ],
    rollback: async (by, reason) => {
      if (running === before.artifact) throw new Error('production has no earlier artifact to roll back to')
      rollbacks.push({ by, reason })
      running = before.artifact
      return { from: { contentHash: change.artifact }, to: { contentHash: before.artifact } }
    },
  }
}

const opened: { close(): Promise<void> }[] = []
afterEach(async () => {
  for (const api of opened.splice(0)) await api.close()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

async function api(c = controls()) {
  const started = await startDeploysApi({ controls: c, token: TOKEN })
  opened.push(started)
  return { ...started, controls: c }
}

describe("the drill's deploys API", () => {
  it('lists production and its deploys newest first, and rolls back with the actor and reason', async () => {
    const { url, controls: c } = await api()
    const client = new DeploysHttpClient({ baseUrl: url, token: TOKEN })
    const view = await client.list()
    expect(view.history.map((d) => d.commit)).toEqual([change.commit, before.commit])
    expect(view.production.map((s) => [s.contentHash, s.live])).toEqual([
      [change.artifact, true],
      [change.artifact, true],
      [before.artifact, false],
    ])
    expect(await client.rollback('5xx since the deploy', 'lola')).toEqual({
      from: change.artifact,
      to: before.artifact,
    })
    expect(c.rollbacks).toEqual([{ by: 'lola', reason: '5xx since the deploy' }])
    // Nothing earlier to go back to: a conflict, said plainly.
    await expect(client.rollback('again', 'lola')).rejects.toMatchObject({
      code: 'FIREDRILL_DEPLOYS_REQUEST_FAILED',
      status: 409,
      message: expect.stringMatching(/no earlier artifact/),
    })
  })

  it('answers nothing without the token, and refuses a rollback without a reason', async () => {
    const { url, controls: c } = await api()
    for (const [method, path] of [
      ['GET', '/deploys'],
      ['POST', '/deploys/rollback'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, headers: { authorization: 'Bearer wrong' } })
      expect(response.status).toBe(401)
      expect(await response.text()).not.toContain(change.commit)
    }
    const blank = await fetch(`${url}/deploys/rollback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ actor: 'lola' }),
    })
    expect(blank.status).toBe(400)
    expect(((await blank.json()) as { message: string }).message).toMatch(/a rollback needs \{"reason"/)
    expect(c.rollbacks).toEqual([])
  })

  it('firedrill deploys list and rollback reach it with the URL and token from the environment', async () => {
    const { url, controls: c } = await api()
    const out: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk))
      return true
    })
    vi.stubEnv('FIREDRILL_DEPLOYS_URL', url)
    vi.stubEnv('FIREDRILL_DEPLOYS_TOKEN', TOKEN)
    expect(await main(['deploys', 'list'])).toBe(0)
    expect(out.join('')).toMatch(/slot 0 {2}commit - {2}artifact 222222222222\n/)
    expect(out.join('')).toMatch(/slot 2 {2}commit - {2}artifact 111111111111 {2}\(no traffic\)\n/)
    expect(await main(['deploys', 'rollback', '--reason', 'orders fail', '--actor', 'trainee'])).toBe(0)
    expect(out.join('')).toContain('production rolled back from 222222222222 to 111111111111 (by trainee)')
    expect(c.rollbacks).toEqual([{ by: 'trainee', reason: 'orders fail' }])
    // The history says which deploy is a rollback, and whose.
    expect(await main(['deploys', 'list'])).toBe(0)
    expect(out.join('')).toMatch(/live {2}before it: - {2}\(a rollback of 222222222222 by trainee\)\n/)
    vi.stubEnv('FIREDRILL_DEPLOYS_TOKEN', 'wrong')
    expect(await main(['deploys', 'list'])).toBe(1)
  })
})
