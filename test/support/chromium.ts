import { type Browser, chromium } from 'playwright-core'

/** Debian's Chromium, headless, driven by playwright-core: the browser the console's tests and screenshots use. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  })
}
