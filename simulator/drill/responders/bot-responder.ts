import { OFF } from '../../../services/flags/flag-state.ts'
import { MAX_REASON_LENGTH } from '../../../services/flags/flags-schemas.ts'
import type { Page } from '../pager.ts'
import { diagnose } from './diagnose.ts'
import type { Responder, ResponderContext } from './responder.ts'
import { seenWorkers } from './worker-dashboard.ts'

/**
 * The on-call bot: acknowledges after its delay, reads what an on-call engineer can see (the page's alerts and
 * SLOs, the payment provider's status page, the flag audit log, the deploy history, and the workers' dashboard
 * from the page to the acknowledgement), follows the playbook in
 * `diagnose`, journals its evidence and hypothesis, and only then acts: turns the suspect flag off, rolls
 * production back, or turns the degrade switch on for a failing provider, with a reason that says why; or
 * escalates when nothing explains the burn.
 */
export function botResponder(ackDelayMs: number, name = 'responder-bot'): Responder {
  return {
    kind: 'bot',
    name,
    async respond(page: Page, context: ResponderContext) {
      // The workers' dashboard is opened with the page, and read again once acknowledged: what they did between.
      // The first read goes on beside the acknowledgement delay, so a slow worker does not delay the acknowledgement.
      const lookedAt = context.clock.now()
      // A dashboard that cannot be read is evidence missing, not a failed response.
      const dashboard = () => (context.workers?.() ?? Promise.resolve(null)).catch(() => null)
      const first = dashboard()
      await context.clock.sleep(ackDelayMs, context.signal)
      await context.acknowledge(name)
      const [before, after, audit, deploys, provider] = await Promise.all([
        first,
        dashboard(),
        context.flags.audit(50),
        context.deploys.list(),
        context.provider(),
      ])
      const diagnosis = diagnose(
        page,
        audit,
        deploys.history,
        provider,
        before === null || after === null || after.workers === 0
          ? null
          : seenWorkers(before, after, lookedAt, context.clock.now()),
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
        await context.deploys.rollback(
          reasonOf(`${page.alert} paged: ${diagnosis.hypothesis}`, 'rolling back'),
          name,
        )
        return
      }
      if (diagnosis.action.kind === 'degrade') {
        const { flag } = diagnosis.action
        context.say(`${name}: turning the degrade switch ${flag} on (${diagnosis.hypothesis})`)
        await context.flags.set(
          flag,
          { defaultVariant: 'on', targeting: null },
          reasonOf(`${page.alert} paged: ${diagnosis.hypothesis}`, 'turning the degrade switch on'),
          name,
        )
        return
      }
      const { flag } = diagnosis.action
      context.say(`${name}: turning off ${flag} (${diagnosis.hypothesis})`)
      await context.flags.set(
        flag,
        OFF,
        reasonOf(`${page.alert} paged: ${diagnosis.hypothesis}`, 'turning it off'),
        name,
      )
    },
  }
}

/**
 * The reason the bot gives with a change: why, then what it does, cut to what the flag service and the deploys API
 * keep (`MAX_REASON_LENGTH`); the journal's `responder.diagnosed` keeps the whole hypothesis.
 */
export function reasonOf(why: string, what: string): string {
  const whole = `${why}; ${what}`
  if (whole.length <= MAX_REASON_LENGTH) return whole
  const tail = `…; ${what}`
  return `${why.slice(0, MAX_REASON_LENGTH - tail.length).trimEnd()}${tail}`
}
