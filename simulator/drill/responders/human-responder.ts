import type { Page } from '../pager.ts'
import type { Responder, ResponderContext } from './responder.ts'

export interface HumanResponderOptions {
  /** Where the page is shown (with a bell). @defaultValue process.stderr */
  out?: NodeJS.WritableStream
  /** Where Enter acknowledges the page; only read when it is a TTY. @defaultValue process.stdin */
  input?: NodeJS.ReadStream
  /** Who answers, as the journal credits the acknowledgement. @defaultValue 'trainee' */
  name?: string
  /**
   * What the responder can reach to mitigate, one line each. @defaultValue the drill's flag service and deploys
   * API, with their token, and the CLI commands that use them
   */
  levers?: (context: ResponderContext) => string[]
}

/** The built-in shop's levers: its flag service and deploys API, as the CLI reaches them. */
function shopLevers(context: ResponderContext): string[] {
  return [
    '  You are on call. Find the cause and mitigate. From another terminal:',
    `    export FIREDRILL_FLAGS_URL=${context.flagsUrl} FIREDRILL_FLAGS_TOKEN=${context.token}`,
    '    npx firedrill flags list                     # what is on, and who changed it (also GET $FIREDRILL_FLAGS_URL/flags/audit)',
    '    npx firedrill flags set KEY off --reason "…"  # the kill switch (on, for a degrade switch)',
    ...(context.deploysUrl === ''
      ? []
      : [
          `    export FIREDRILL_DEPLOYS_URL=${context.deploysUrl} FIREDRILL_DEPLOYS_TOKEN=${context.token}`,
          '    npx firedrill deploys list                   # what production runs, and its recent deploys',
          '    npx firedrill deploys rollback --reason "…"  # back to what production ran before its latest deploy',
          '    npx firedrill queue pause --reason "…"       # hold the fulfilment queue\'s orders (queue resume to let them go)',
        ]),
  ]
}

/**
 * A human trainee: the page appears in the terminal with a bell and what can be reached (the flag service, the
 * deploys API and their token, not the answer). The trainee acknowledges with Enter and mitigates from another terminal; the
 * drill's clock runs until the flag is off or a stop condition trips. Without a terminal to press Enter in, the
 * acknowledgement is taken at the mitigation.
 */
export function humanResponder(options: HumanResponderOptions = {}): Responder {
  const out = options.out ?? process.stderr
  const input = options.input ?? process.stdin
  const name = options.name ?? 'trainee'
  const levers = options.levers ?? shopLevers
  return {
    kind: 'human',
    name,
    async respond(page: Page, context: ResponderContext) {
      // The provider's public status page, as anyone can read it: what it says now, not what the drill did.
      const provider = await context.provider().catch(() => null)
      out.write(
        [
          '\u0007',
          `PAGE  ${page.alert} (${page.severity})  since ${page.startsAt}`,
          `  ${page.summary}`,
          `  ${page.description}`,
          '',
          ...levers(context),
          ...(provider === null
            ? []
            : [
                `  The payment provider's status page says: ${provider.status}${provider.since === null ? '' : ` since ${provider.since}`} ("${provider.summary}")`,
              ]),
          input.isTTY ? '  Press Enter here to acknowledge the page.' : '',
          '',
        ].join('\n'),
      )
      if (!input.isTTY) return
      await new Promise<void>((resolve) => {
        const onData = () => {
          input.off('data', onData)
          context.signal.removeEventListener('abort', onAbort)
          resolve()
        }
        const onAbort = () => {
          input.off('data', onData)
          resolve()
        }
        input.on('data', onData)
        input.resume()
        context.signal.addEventListener('abort', onAbort, { once: true })
      })
      input.pause()
      if (!context.signal.aborted) await context.acknowledge(name)
    },
  }
}
