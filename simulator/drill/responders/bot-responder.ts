import { OFF } from '../flag-state.ts'
import type { Page } from '../pager.ts'
import type { Responder, ResponderContext } from './responder.ts'

/**
 * The on-call bot: acknowledges after its delay, reads the flag audit log, and turns off the flag most
 * recently turned on (the likeliest cause of a fresh incident), with a reason that says why.
 */
export function botResponder(ackDelayMs: number, name = 'responder-bot'): Responder {
  return {
    kind: 'bot',
    name,
    async respond(page: Page, context: ResponderContext) {
      await context.clock.sleep(ackDelayMs, context.signal)
      await context.acknowledge(name)
      const audit = await context.flags.audit(50)
      const suspect = audit.find((entry) => entry.to !== 'off' && entry.to !== 'disabled')
      if (suspect === undefined) {
        context.say(`${name}: no recently enabled flag in the audit log; nothing to turn off`)
        return
      }
      const reason = `${page.alert} paged at ${page.startsAt}; ${suspect.flag} was enabled most recently (${suspect.from} → ${suspect.to} by ${suspect.actor} at ${suspect.at}); turning it off`
      context.say(`${name}: turning off ${suspect.flag} (most recently enabled, by ${suspect.actor})`)
      await context.flags.set(suspect.flag, OFF, reason, name)
    },
  }
}
