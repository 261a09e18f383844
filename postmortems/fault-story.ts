import { parseDuration } from '../record/scenario/duration.ts'
import type { ValidScenario } from '../record/scenario/parse-scenario.ts'
import { describeInjection } from '../record/target/describe-proxy-fault.ts'
import { describeFaultMode } from '../services/payments/provider-status.ts'

/** How a postmortem tells one kind of fault: what it did, why the gate let it by, and what to check next time. */
export interface FaultStory {
  /** What the flagged path did wrong, as a clause ("orders that carry … fail with HTTP 500"). */
  effect: string
  /** The decision the change rested on, for the mistake log. */
  decision: string
  /** Why the gate let the change reach trunk. */
  gateGap: string
  /** The mistake log's one-line retrieval card. */
  retrievalCard: string
  /** What limited the damage, when the fault itself did. */
  luck: string | null
}

/** The scenario's fault when it is a dependency's (the cause is external: nothing of ours changed). */
export function externalFaultOf(scenario: ValidScenario) {
  const { fault } = scenario.change
  return fault.kind === 'provider-degraded' ? fault : undefined
}

/** The scenario's fault when it is a target's dependency failing behind firedrill's fault proxy. */
export function dependencyFaultOf(scenario: ValidScenario) {
  const { fault } = scenario.change
  return fault.kind === 'dependency-fault' ? fault : undefined
}

/** The story of the scenario's fault, by its kind. */
export function faultStoryOf(scenario: ValidScenario): FaultStory {
  const { fault, flag } = scenario.change
  switch (fault.kind) {
    case 'dark-change':
      return {
        effect:
          fault.symptom ??
          `the change behind ${flag} made the service fail its SLO for the share of traffic that saw it`,
        decision: 'releasing a change whose failure modes were not known before it met real traffic',
        gateGap: `The change was deployed dark by the team's own pipeline; firedrill released it by ${flag} and did not gate it.`,
        retrievalCard: `Check what ${flag}'s path depends on, and that each dependency is there and tested, before turning it on`,
        luck: null,
      }
    case 'coupon-orders-fail':
      return {
        effect: `orders that carry a coupon code the catalog does not know fail with HTTP ${fault.statusCode}`,
        decision: 'a gate that never ran the new path with the flag on',
        gateGap: `No gate step exercised this path with ${flag} on, so the defect reached trunk.`,
        retrievalCard:
          'Check how the new path handles coupon codes the catalog does not know before releasing a pricing change',
        luck: `Only orders carrying a coupon code the catalog does not know failed (some of the about ${Math.round(scenario.traffic.mix.couponShare * 100)} % of orders that carry a coupon), so most customers could still check out.`,
      }
    case 'order-record-renamed':
      return {
        effect:
          `orders it prices are stored with ${fault.field} renamed to ${fault.renamedTo}; the fulfilment workers still ` +
          `running the previous build read ${fault.field}, so the payment provider refuses their charges and the orders ` +
          'fail after the api accepted them with HTTP 201',
        decision:
          'a gate that tested the api and the worker as one build, when the workers deployed beside the api run the previous one',
        gateGap: `The api and the worker were changed together in one commit and tested together on that commit; no gate step held the record the api writes against what the readers still deployed read (${fault.field}), so the defect reached trunk.`,
        retrievalCard: `Check that every record the api writes still carries each field the deployed readers read (${fault.field} here) before renaming or dropping a field: expand, move the readers, then contract`,
        luck: `The workers on the previous build charged no amount rather than a wrong one: the provider refused every charge without ${fault.field}, so no customer was charged a wrong amount, and checkout itself kept answering.`,
      }
    case 'secret-committed':
      return {
        effect: `the change carries ${fault.secret} in ${fault.file}, readable by anyone who can read the repository or its artifacts`,
        decision:
          'keeping a secret next to the code "for now", so every instance signs alike without a secret store',
        gateGap: `The gate's secret scan reads every file a commit holds; ${fault.file} was refused there. Had it merged, the key would have been in trunk's history and in every artifact built from it.`,
        retrievalCard: `Check that no key, token or password is in the diff before pushing: secrets come from the secret store at run time (${fault.secret} here)`,
        luck: `The key was refused at the gate, before trunk: it lives only on the change's branch. A pushed branch is still a leak, so ${fault.secret} must be rotated all the same.`,
      }
    case 'orders-slowed': {
      const threshold = scenario.slo.indicators.find((i) => i.sli === 'latency')?.threshold
      const ms = threshold === undefined ? undefined : parseDuration(threshold)
      const late = ms === undefined ? 'later' : `in over ${ms < 1000 ? `${ms} ms` : `${ms / 1000} s`}`
      return {
        effect: `every order it prices waits for ${fault.call} (about ${fault.addedMs} ms), so those orders are answered ${late}, though none fails`,
        decision:
          'a gate that checked what the new path computes for an order, and never how many calls it makes for one',
        gateGap: `Every gate step checks answers, and the answers were right: no step counted the calls the new path makes per order (${fault.call} for each one), so the defect reached trunk.`,
        retrievalCard: `Check how many calls a request path makes per order (${fault.call} here) before releasing it: fetch what many orders share once, keep it, and refresh it off the request path`,
        luck: `Nothing failed: the slow call answered every time, so the orders on the new path were late (about ${fault.addedMs} ms each) but none was refused. Had it slowed past the clients' timeouts, the same path would have failed orders.`,
      }
    }
    case 'coupon-kind-unpriced':
      return {
        effect: `orders that carry the new ${fault.coupon} coupon (a \`${fault.couponKind}\` coupon, a kind the pricing code has no case for) fail with HTTP ${fault.statusCode}`,
        decision: `the belief that a coupon is only a catalog entry, so adding ${fault.coupon} needed neither a test through pricing nor a flag to turn it off`,
        gateGap: `The pricing tests name the coupons they use one by one; none priced an order with ${fault.coupon}, and none went through every coupon in the catalog, so the defect reached trunk.`,
        retrievalCard: `Check that an order with every coupon in the catalog prices on both paths before shipping a new coupon kind (${fault.coupon} here), and ship it behind a flag`,
        luck: `Only orders carrying ${fault.coupon} failed (one code of the ${scenario.traffic.mix.couponShare > 0 ? `coupons on about ${Math.round(scenario.traffic.mix.couponShare * 100)} % of orders` : 'catalog'}), so most customers could still check out.`,
      }
    case 'currency-orders-fail': {
      const attempts = fault.retries + 1
      return {
        effect: `orders in ${fault.currency} fail with HTTP ${fault.statusCode}`,
        decision: `retrying a test that failed now and then ("${fault.test}", up to ${attempts} attempts) instead of asking what its failing runs had drawn`,
        gateGap: `The change's own test priced one random cart in a random currency: it failed whenever it drew ${fault.currency}, and it was marked to retry up to ${fault.retries} times, so the gate counted a failed attempt followed by a passing one as a pass. The failure named the defect; the retry turned it into a green gate, and the defect reached trunk.`,
        retrievalCard: `Check what a test's failing runs had in common (${fault.currency} orders here) before retrying it: a test that passes only on a retry is a failing test`,
        luck: `Only orders in ${fault.currency} that the new path priced failed; orders in the other currencies, and every order on the standard path, still went through.`,
      }
    }
    case 'startup-migration-fails':
      return {
        effect: `a data migration runs when an api instance starts (it ${fault.migration}) and the instance is ready only once it is done; on production's stored data, which holds ${fault.unexpected}, it fails, so no new instance ever becomes ready`,
        decision: `running a data migration in the start-up path and making readiness wait on it, tested only against empty stores (staging had none of ${fault.unexpected})`,
        gateGap: `The gate's contract tests start the api on an empty store, and staging's store was empty too: nothing ran the migration over ${fault.unexpected}, so the defect reached trunk and staging passed it.`,
        retrievalCard: `Check a data migration against every shape the stored data has (${fault.unexpected} here) before shipping it, and run it beside the service, never in its start-up path`,
        luck: "The rolling deploy health-checked each new instance before going on, and rolled the batch back when it never became ready: production's instances kept serving the build before the change.",
      }
    case 'provider-degraded': {
      const what = describeFaultMode(fault.provider)
      return {
        effect: `the payment provider ${what}, so the fulfilment workers, which charge every order through it in line, fell behind or failed: orders were accepted with HTTP 201 and then not paid within the deadline`,
        decision: `a fulfilment path that calls the payment provider for every order with nothing that stops calling it when it slows or fails (no circuit breaker), so the shop's fulfilment followed the provider's health, and the degrade switch (${fault.degradeSwitch}) waited for a person`,
        gateGap:
          'Nothing of ours changed before the burn (no commit, build or deploy), so no gate could have stopped it; the cause was outside the shop. What the gate lacked was a test holding the worker to a slow or failing provider.',
        retrievalCard: `Check the provider's status page and the fulfilment SLO before the flag audit log when orders stop being paid: a flag turned on just before may be a coincidence, and the way through is the degrade switch (${fault.degradeSwitch}), not turning off the latest flag`,
        luck: 'Checkout kept answering: the api accepts an order before it is charged, so customers could still place orders while the provider struggled; only their charges waited.',
      }
    }
    case 'dependency-fault': {
      const dependency = fault.dependency ?? 'the dependency'
      const how = describeInjection(fault.inject)
      const lever = fault.degradeSwitch
      return {
        effect: `calls to ${dependency} were ${how} for a growing share of requests (firedrill's fault proxy in front of it), so the service's answers that needed ${dependency} failed or slowed`,
        decision:
          lever === undefined
            ? `a request path that calls ${dependency} in line with no way to degrade while it fails: no degrade switch and no fallback, so the service's SLO followed ${dependency}'s health`
            : `a request path that calls ${dependency} in line and degrades only when a person turns the degrade switch (${lever}) on, so the service's SLO followed ${dependency}'s health until then`,
        gateGap: `Nothing of ours changed before the burn (no commit, build or deploy), so no gate could have stopped it; the cause was a dependency. What the team's pipeline lacked was a test holding the service to a slow or failing ${dependency}.`,
        retrievalCard:
          lever === undefined
            ? `Check that the service can answer without ${dependency} (a degrade switch: cached or fixed answers) before ${dependency} fails again: it has no lever yet`
            : `Check whether ${dependency} is failing before looking for a change of ours to undo: the way through is the degrade switch ${lever}`,
        luck: null,
      }
    }
    case 'charges-retried-at-once': {
      const blip = describeFaultMode(fault.blip.provider)
      return {
        effect:
          `a failed charge of an order it takes is retried at once, up to ${fault.attempts} times, with no backoff and no jitter, whatever the provider's Retry-After says; ` +
          `when the payment provider ${blip} for ${fault.blip.seconds} s (a blip), the retries of every order the workers hold pile up past the provider's capacity ` +
          `(${fault.capacityPerSecond} charge attempts a second, refused ones counted), so it refuses nearly every charge with HTTP 429 long after the blip is over: ` +
          'orders are failed (or paid after their deadline) until the retries stop, while checkout keeps answering 201',
        decision:
          'retrying a failed charge at once, many times, on the belief that a provider blip is over in a moment, without asking what the retries do to a provider that is already refusing',
        gateGap: `Every gate step ran against a healthy provider, where a charge succeeds on its first try and the retry policy never runs; no test held the policy to its delays (growing, jittered, bounded), so a policy without any reached trunk.`,
        retrievalCard:
          'Check what a retry policy does when every caller fails at once before shipping it: back off exponentially, with jitter, a bounded number of times, so one blip does not become a storm that keeps the provider saturated',
        luck: 'Checkout kept answering: the api accepts an order before it is charged, so customers could still place orders; and the provider charged nobody twice (every retry carried the order id as its idempotency key).',
      }
    }
    case 'artifact-retagged':
      return {
        effect: `after staging verified its artifact, the \`${fault.tag}\` tag production deploys by was moved to a rebuild staging never saw (${fault.drift})`,
        decision: `promoting by a tag that can move (\`${fault.tag}\`) and rebuilding for production, instead of deploying the one artifact staging verified, by its content hash`,
        gateGap: `The change itself passed the gate and staging; the rebuild never went through either. Production's deploy verification compares the artifact's content hash with the one staging verified, and refused it.`,
        retrievalCard: `Check that an artifact's content hash is the one staging verified before production deploys it, whatever a tag (\`${fault.tag}\` here) names`,
        luck: `Deploy verification was on: without it, production would have run code no gate and no staging had seen (${fault.drift}).`,
      }
  }
}
