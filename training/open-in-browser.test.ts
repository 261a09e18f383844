import { describe, expect, it } from 'vitest'
import { openInBrowser } from './open-in-browser.ts'

describe('opening the console in a browser', () => {
  it('resolves with null when the opener takes the URL', async () => {
    expect(await openInBrowser('http://127.0.0.1:1/x?token=a&b=c', { command: 'true' })).toBeNull()
  })

  it('says why, without throwing, when there is no opener or it fails', async () => {
    expect(await openInBrowser('http://127.0.0.1:1/', { command: 'firedrill-no-such-opener' })).toBe(
      'firedrill-no-such-opener is not installed',
    )
    expect(await openInBrowser('http://127.0.0.1:1/', { command: 'false' })).toBe(
      'false ended with exit code 1',
    )
  })
})
