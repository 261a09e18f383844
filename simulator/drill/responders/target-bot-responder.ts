import { eventsOf, type JournalEvent, type JournalEventData } from '../../../record/journal/journal-event.ts'
import type { TargetFlagControl } from '../../target/target-flag-control.ts'
import type { Page } from '../pager.ts'
import { diagnose } from './diagnose.ts'
import type { Responder } from './responder.ts'

/**
 * The on-call bot on a target: acknowledges after its delay, reads what the on-call engineer can see (the page,
 * and the flag changes the release made, as the team's flag history shows them), follows the same playbook as on
 * the shop, journals its diagnosis, and turns the suspect flag off through the target's own flag source.
 */
export function targetBotResponder(options: {
  control: TargetFlagControl
  ackDelayMs: number
  events: readonly JournalEvent[]
  turnedOff(change: JournalEventData['flag.changed']): Promise<unknown>
}): Responder {
  const name = 'responder-bot'
  const { control } = options
  return {
    kind: 'bot',
    name,
    async respond(page: Page, context) {
      await context.clock.sleep(options.ackDelayMs, context.signal)
      await context.acknowledge(name)
      const serving = (percent: number) =>
        percent === 0 ? 'off' : percent >= 100 ? 'on' : `on for ${percent}%`
      let before = 0
      const history = eventsOf(options.events, 'flag.changed').map((e) => {
        const entry = {
          revision: e.seq,
          at: e.at,
          flag: e.data.key,
          actor: e.data.actor,
          from: serving(before),
          to: serving(e.data.percent),
        }
        before = e.data.percent
        return entry
      })
      const diagnosis = diagnose(page, history)
      await context.diagnosed(name, diagnosis)
      if (diagnosis.action.kind !== 'flag-off') {
        context.say(`${name}: ${diagnosis.hypothesis}; escalating, nothing turned off`)
        return
      }
      const reason = `${page.alert} paged: ${diagnosis.hypothesis}; turning it off`
      context.say(`${name}: turning off ${control.flag} (${diagnosis.hypothesis})`)
      const from = await control.percent().catch(() => null)
      await control.turnOff(reason, name)
      await options.turnedOff({ key: control.flag, from, to: 'off', percent: 0, actor: name, reason })
    },
  }
}
