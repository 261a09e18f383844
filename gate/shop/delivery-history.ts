import { DAY_MS, type DoraEvents, PRODUCTION } from '../../record/dora/dora-events.ts'

/** Where the shop's repository keeps its delivery history, as its deployment system exports it. */
export const SHOP_HISTORY_FILE = 'dora/events.json'

const HOUR_MS = 3_600_000
/** How far back the history reaches: the governor's 30-day trailing period and its 90-day baseline. */
const HISTORY_DAYS = 120
/** Two production deployments a day, at 10:00 and 15:00 of each day, counted back from `now`. */
const DEPLOY_HOURS = [10, 15] as const
/** One deployment in this many fails and opens an incident: a 4 % change failure rate, steady over the history. */
const FAILURE_EVERY = 25

/**
 * The shop's delivery history over the 120 days before `now`, in fourkeys' table shapes: two production
 * deployments a day, each shipping two changes, one in 25 failed with an incident resolved in 45 to 55
 * minutes. Steady on purpose: the change failure rate and the recovery time are the same in every period, so the
 * gate's `cfr-governor` compares a trailing month with its baseline and passes, until a history with a real
 * regression in it is committed. Deterministic: the same day gives the same file.
 */
export function shopDeliveryHistory(now: number): DoraEvents {
  const history: DoraEvents = { changes: [], deployments: [], incidents: [] }
  const today = Math.floor(now / DAY_MS) * DAY_MS
  let n = 0
  for (let day = HISTORY_DAYS; day >= 1; day--) {
    for (const hour of DEPLOY_HOURS) {
      n += 1
      const at = today - day * DAY_MS + hour * HOUR_MS
      const changes = [1, 2].map((k) => {
        const change_id = `shop-${String(n).padStart(3, '0')}-${k}`
        history.changes.push({
          change_id,
          time_created: iso(at - k * 2 * HOUR_MS),
          source: 'shop',
        })
        return change_id
      })
      const failed = n % FAILURE_EVERY === 0
      const deploy_id = `deploy-${String(n).padStart(3, '0')}`
      history.deployments.push({
        deploy_id,
        environment: PRODUCTION,
        time_created: iso(at),
        changes,
        result: failed ? 'failure' : 'success',
      })
      if (failed)
        history.incidents.push({
          incident_id: `INC-${String(history.incidents.length + 1).padStart(2, '0')}`,
          time_created: iso(at + 10 * 60_000),
          // 45, 50 and 55 minutes, in turn: the same spread in every period.
          time_resolved: iso(at + 10 * 60_000 + (45 + 5 * (history.incidents.length % 3)) * 60_000),
          root_cause: changes[0]!,
          deployment_id: deploy_id,
        })
    }
  }
  return history
}

const iso = (ms: number) => new Date(ms).toISOString()
