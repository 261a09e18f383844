import { OFF } from '../../../services/flags/flag-state.ts'
import type { Page } from '../pager.ts'
import { diagnose } from './diagnose.ts'
import type { Responder, ResponderContext } from './responder.ts'

/**
 * The on-call bot: acknowledges after its delay, reads what an on-call engineer can see (the page's alerts and
 * SLOs, the payment provider's status page, the flag audit log, the deploy history), follows the playbook in
 * `diagnose`, journals its evidence and hypothesis, and only then acts: turns the suspect flag off, rolls
 * production back, or turns the degrade switch on for a failing provider, with a reason that says why; or
 * escalates when nothing explains the burn.
 */
export function botResponder(ackDelayMs: number, name = 'responder-bot'): Responder {
  return {
    kind: 'bot',
    name,
    async respond(page: Page, context: ResponderContext) {
      await context.clock.sleep(ackDelayMs, context.signal)
      await context.acknowledge(name)
      const diagnosis = diagnose(
        page,
        await context.flags.audit(50),
        (await context.deploys.list()).history,
        await context.provider(),
      )
      await context.diagnosed(name, diagnosis)
      if (diagnosis.action.kind === 'escalate') {
        context.say(`${name}: ${diagnosis.hypothesis}; escalating, nothing turned off`)
        return
      }
      if (diagnosis.action.kind === 'already-rolled-back') {
        // Production is back on what it ran before the change: a second rollback would undo nothing of it.
        context.say(`${name}: ${diagnosis.hypothesis}; nothing rolled back again`)
        return
      }
      if (diagnosis.action.kind === 'rollback') {
        context.say(`${name}: rolling production back (${diagnosis.hypothesis})`)
        await context.deploys.rollback(`${page.alert} paged: ${diagnosis.hypothesis}; rolling back`, name)
        return
      }
      if (diagnosis.action.kind === 'degrade') {
        const { flag } = diagnosis.action
        context.say(`${name}: turning the degrade switch ${flag} on (${diagnosis.hypothesis})`)
        await context.flags.set(
          flag,
          { defaultVariant: 'on', targeting: null },
          `${page.alert} paged: ${diagnosis.hypothesis}; turning the degrade switch on`,
          name,
        )
        return
      }
      const { flag } = diagnosis.action
      context.say(`${name}: turning off ${flag} (${diagnosis.hypothesis})`)
      await context.flags.set(flag, OFF, `${page.alert} paged: ${diagnosis.hypothesis}; turning it off`, name)
    },
  }
}
