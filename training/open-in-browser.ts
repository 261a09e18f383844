import { spawn } from 'node:child_process'

/** What opens a URL in the desktop's browser, per platform. */
function opener(platform: NodeJS.Platform): { command: string; args: (url: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] }
  if (platform === 'win32')
    return { command: 'rundll32', args: (url) => ['url.dll,FileProtocolHandler', url] }
  return { command: 'xdg-open', args: (url) => [url] }
}

export interface OpenInBrowserOptions {
  /** @defaultValue this machine's: `xdg-open`, `open` on macOS, `rundll32 url.dll` on Windows */
  command?: string
  /** How long to wait for the opener to fail before taking it as done (some wait for the browser). @defaultValue 3000 */
  waitMs?: number
}

/**
 * Asks the desktop to open `url` in the user's browser. Never throws: resolves with null when the opener took
 * it, or with why it could not (no opener installed, no browser, no display), for the caller to say so.
 */
export function openInBrowser(url: string, options: OpenInBrowserOptions = {}): Promise<string | null> {
  const { command, args } =
    options.command === undefined
      ? opener(process.platform)
      : { command: options.command, args: (u: string) => [u] }
  return new Promise((resolve) => {
    let settled = false
    const settle = (why: string | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(why)
    }
    // No shell: the URL is one argument, whatever it holds.
    const child = spawn(command, args(url), { stdio: 'ignore', detached: true })
    child.once('error', (err: NodeJS.ErrnoException) =>
      settle(err.code === 'ENOENT' ? `${command} is not installed` : `${command} failed: ${err.message}`),
    )
    child.once('exit', (code, signal) =>
      settle(code === 0 ? null : `${command} ended with ${signal ?? `exit code ${code}`}`),
    )
    const timer = setTimeout(() => {
      // Still running: it is showing the page (some openers wait for the browser). Let it go on its own.
      child.unref()
      settle(null)
    }, options.waitMs ?? 3000)
    timer.unref()
  })
}
