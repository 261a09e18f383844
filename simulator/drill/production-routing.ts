import type { Environment } from '../../gate/deploy/environment.ts'
import type { NewJournalEvent } from '../../record/journal/journal-event.ts'
import type { ValidScenario } from '../../record/scenario/parse-scenario.ts'
import type { RollbackRequest } from './production-deploys.ts'
import { weighted } from './weighted-targets.ts'

type Strategy = ValidScenario['release']['strategy']

/**
 * Which of production's api slots take traffic, as the release strategy lays them out. Every strategy has the
 * `blue` slots, running the build before the change; a blue-green release adds as many `green` ones and switches
 * all traffic between the two sets at once; an instance-canary release adds one `canary` slot and routes a share
 * of traffic to it beside blue. Each routing change is journalled. The traffic reads `liveUrls()` per request.
 */
export class ProductionRouting {
  readonly blue: readonly number[]
  readonly green: readonly number[]
  readonly canary: number | undefined
  readonly #strategy: Strategy
  readonly #production: () => Environment
  readonly #record: (event: NewJournalEvent) => Promise<unknown>
  readonly #say: (line: string) => void
  #live: readonly number[]
  #canaryShare = 0
  /** Each slot's address once it has started: kept across deploys. */
  readonly #known = new Map<number, string>()
  /** The targets for the routing as it stands; undefined until every live slot has an address. */
  #targets: string[] | undefined

  constructor(options: {
    strategy: Strategy
    /** How many api instances production runs (blue). */
    instances: number
    /** Read when traffic is routed: the environment is built with `slotCount` slots. */
    production: () => Environment
    record(event: NewJournalEvent): Promise<unknown>
    say(line: string): void
  }) {
    this.#strategy = options.strategy
    this.blue = Array.from({ length: options.instances }, (_, i) => i)
    this.green = options.strategy === 'blue-green' ? this.blue.map((i) => i + options.instances) : []
    this.canary = options.strategy === 'instance-canary' ? options.instances : undefined
    this.#live = this.blue
    this.#production = options.production
    this.#record = options.record
    this.#say = options.say
  }

  /** The slots production needs: blue, and green or the canary. */
  get slotCount(): number {
    return this.blue.length + this.green.length + (this.canary === undefined ? 0 : 1)
  }

  /** Whether production's first deploy, of the build before the change, fills blue alone. */
  get blueOnly(): boolean {
    return this.slotCount > this.blue.length
  }

  /**
   * The api instances taking traffic now, as round-robin targets (a canary's share weighted in). A slot keeps its
   * address across deploys, so a slot restarting in a deploy stays in the list and its requests meet no answer,
   * as a router that does not drain an instance first sends them. Built once per routing change, not per request.
   */
  liveUrls(): string[] {
    if (this.#targets !== undefined) return this.#targets
    for (const s of this.#production().current()) if (s.url !== null) this.#known.set(s.slot, s.url)
    const wanted = this.liveSlots()
    const urls = this.#live.flatMap((slot) => this.#known.get(slot) ?? [])
    const canaryUrl = this.canary === undefined ? undefined : this.#known.get(this.canary)
    const targets =
      this.#canaryShare === 0 || canaryUrl === undefined ? urls : weighted(urls, canaryUrl, this.#canaryShare)
    // Kept only once every slot that takes traffic has an address (its first start is done).
    if (wanted.every((slot) => this.#known.has(slot))) this.#targets = targets
    return targets
  }

  /** The slots taking traffic now: blue or green, and the canary while it has a share. */
  liveSlots(): readonly number[] {
    return this.#canaryShare > 0 && this.canary !== undefined ? [...this.#live, this.canary] : this.#live
  }

  /** A blue-green switch: every request to `to` from now on. */
  async switchTo(to: 'blue' | 'green', by: string, reason: string): Promise<void> {
    this.#live = to === 'blue' ? this.blue : this.green
    this.#targets = undefined
    await this.#record({
      type: 'traffic.switched',
      data: { to, slots: [...this.#live], urls: this.liveUrls(), by, reason },
    })
    this.#say(`traffic switched to ${to} (api slot(s) ${this.#live.join(', ')}) by ${by}`)
  }

  /** An instance canary's share of traffic (0: out of the traffic). */
  async routeCanary(percent: number, by: string, reason: string): Promise<void> {
    this.#canaryShare = percent
    this.#targets = undefined
    await this.#record({ type: 'canary.routed', data: { slot: this.canary!, percent, by, reason } })
    this.#say(`canary (api slot ${this.canary}) takes ${percent}% of traffic (${by})`)
  }

  /**
   * Production's way back without a redeploy, where the strategy has one: a blue-green release switches back to
   * blue; an instance canary, while it alone has the change, leaves the traffic. Resolves false when a redeploy
   * is the way back.
   */
  async goBack(request: RollbackRequest): Promise<boolean> {
    if (this.#strategy === 'blue-green') {
      await this.switchTo('blue', request.by, request.reason)
      return true
    }
    if (this.#strategy === 'instance-canary' && this.#canaryShare > 0) {
      await this.routeCanary(0, request.by, request.reason)
      return true
    }
    return false
  }

  /** The slots release step `index` puts on the change, where the strategy decides; undefined otherwise. */
  batchSlots(index: number): readonly number[] | undefined {
    if (this.#strategy === 'blue-green') return this.green
    if (this.canary !== undefined) return index === 0 ? [this.canary] : this.blue
    return undefined
  }
}
