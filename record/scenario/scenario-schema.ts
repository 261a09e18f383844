import { type Static, Type } from '@sinclair/typebox'
import { FaultModeSchema } from '../../services/payments/fault-mode.ts'
import { DURATION_PATTERN } from './duration.ts'

/*
 * The scenario file, modelled on Chaos Toolkit's experiment: a steady-state hypothesis checked before and
 * after, a method (release the change behind its flag), rollbacks (the responder turns the flag off), and
 * stop conditions. Every object refuses unknown keys. `expected` is firedrill's own annotation: the words an
 * error uses when a value does not fit.
 */

const Duration = (defaultValue?: string) =>
  Type.String({
    pattern: DURATION_PATTERN,
    expected: 'a duration like 5m, 1h or 30d',
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  })

const Closed = { additionalProperties: false } as const

export const FLAG_KEY_PATTERN = '^[a-z0-9][a-z0-9._-]*$'

/** The built-in shop, started by the drill from its own service repository. */
export const BuiltinShopServiceSchema = Type.Object(
  {
    kind: Type.Literal('builtin-shop'),
    /** Number of api instances. @defaultValue 2 */
    api: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
    /** Number of fulfilment workers. @defaultValue 1 */
    workers: Type.Integer({ minimum: 1, maximum: 16, default: 1 }),
  },
  Closed,
)

/**
 * A service the drill did not start, described by a target file (`firedrill run --target FILE`): its instances,
 * SLIs, flag and traffic come from there.
 */
export const TargetServiceSchema = Type.Object({ kind: Type.Literal('target') }, Closed)

/** Which system the drill runs against. */
export const ServiceSchema = Type.Union([BuiltinShopServiceSchema, TargetServiceSchema], {
  expected: 'a mapping with kind builtin-shop (api, workers) or kind target',
})

export const TrafficMixSchema = Type.Object(
  {
    /** Share of orders that carry a coupon code. @defaultValue 0.25 */
    couponShare: Type.Number({ minimum: 0, maximum: 1, default: 0.25 }),
    /** Line items per order, drawn uniformly. @defaultValue `{ min: 1, max: 4 }` */
    itemsPerOrder: Type.Object(
      {
        min: Type.Integer({ minimum: 1, maximum: 50 }),
        max: Type.Integer({ minimum: 1, maximum: 50 }),
      },
      { ...Closed, default: { min: 1, max: 4 } },
    ),
    /** Size of the synthetic customer population. @defaultValue 500 */
    customers: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 500 }),
  },
  { ...Closed, default: {} },
)

/**
 * The built-in shop's seeded orders; a target's traffic is its target file's `traffic`.
 * @defaultValue `{ ratePerSecond: 20 }`
 */
export const TrafficSchema = Type.Object(
  {
    /** Orders per second (open model: arrivals do not wait for responses). */
    ratePerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 5_000 }),
    /** What the orders look like. @defaultValue see TrafficMixSchema */
    mix: TrafficMixSchema,
  },
  { ...Closed, default: { ratePerSecond: 20 } },
)

/** What an SLO measures; see SloIndicatorSchema. */
export const SliKindSchema = Type.Union([
  Type.Literal('availability'),
  Type.Literal('latency'),
  Type.Literal('fulfilment'),
])

export const SLO_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*$'

export const SloIndicatorSchema = Type.Object(
  {
    /** The SLO's name: the `slo` label of its alerts and recording rules. */
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: SLO_NAME_PATTERN,
      expected: 'a name like orders-availability (lower case, digits, ".", "_", "-")',
    }),
    /**
     * `availability`: POST /orders answered without a 5xx. `latency`: POST /orders answered within `threshold`
     * (from the api's request-duration histogram). `fulfilment`: orders paid within `deadline` of entering the
     * fulfilment queue (from the worker's settlement histogram; failed orders count as late).
     */
    sli: SliKindSchema,
    /** Share of events that must be good. @defaultValue slo.objective */
    objective: Type.Optional(Type.Number({ minimum: 0.5, maximum: 0.99999 })),
    /** latency only: a request slower than this is bad. Real time, not scaled; a bucket of the histogram. */
    threshold: Type.Optional(Duration()),
    /** fulfilment only: an order not paid this long after it was placed is bad. Real time, not scaled. */
    deadline: Type.Optional(Duration()),
  },
  Closed,
)

/** The SLO a scenario gets when it names none. */
export const DEFAULT_SLO_INDICATORS = [{ name: 'orders-availability', sli: 'availability' }] as const

export const SloSchema = Type.Object(
  {
    /** Share of requests that must succeed; the default objective of every indicator. @defaultValue 0.99 */
    objective: Type.Number({ minimum: 0.5, maximum: 0.99999, default: 0.99 }),
    /** SLO window in scenario time (scaled by timeScale). @defaultValue '30d' */
    window: Duration('30d'),
    /**
     * The SLOs detection watches, each an SLI with its objective; every one gets the burn-rate rules. The first
     * is the primary one: the steady-state checks read its series. @defaultValue DEFAULT_SLO_INDICATORS
     */
    indicators: Type.Array(SloIndicatorSchema, {
      minItems: 1,
      maxItems: 6,
      default: DEFAULT_SLO_INDICATORS.map((i) => ({ ...i })),
    }),
  },
  { ...Closed, default: {} },
)

export const SteadyStateSchema = Type.Object(
  {
    /** The hypothesis: the error ratio stays at or under this. @defaultValue 0.005 */
    maxErrorRatio: Type.Number({ minimum: 0, maximum: 1, default: 0.005 }),
    /** A check with fewer requests than this proves nothing and fails. @defaultValue 50 */
    minRequests: Type.Integer({ minimum: 1, default: 50 }),
    /** Wall-clock seconds of traffic each check observes. @defaultValue 5 */
    durationSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 3_600, default: 5 }),
  },
  { ...Closed, default: {} },
)

export const CouponOrdersFailFaultSchema = Type.Object(
  {
    /** Orders with a coupon, priced by the flagged path, fail. */
    kind: Type.Literal('coupon-orders-fail'),
    /** HTTP status the failing orders get. @defaultValue 500 */
    statusCode: Type.Integer({ minimum: 500, maximum: 599, default: 500 }),
  },
  Closed,
)

export const OrderRecordRenamedFaultSchema = Type.Object(
  {
    /**
     * On the flagged path the api writes the order record with a field renamed; the readers deployed beside it
     * (workers still on the previous build) read the old name, so the orders it writes are never paid.
     */
    kind: Type.Literal('order-record-renamed'),
    /** The field the readers still on the previous build read. */
    field: Type.String({ minLength: 1, maxLength: 100 }),
    /** Its name in the new record. */
    renamedTo: Type.String({ minLength: 1, maxLength: 100 }),
  },
  Closed,
)

export const SecretCommittedFaultSchema = Type.Object(
  {
    /** The change commits a secret (a signing key, a token): a leak the moment it is pushed, whatever it runs. */
    kind: Type.Literal('secret-committed'),
    /** What the secret is, in words: `the quote-signing private key`. */
    secret: Type.String({ minLength: 1, maxLength: 200 }),
    /** The file the change puts it in. */
    file: Type.String({ minLength: 1, maxLength: 300 }),
  },
  Closed,
)

export const OrdersSlowedFaultSchema = Type.Object(
  {
    /**
     * On the flagged path the api makes a slow call for every order it prices: nothing fails, but the orders are
     * answered later than the latency SLO allows.
     */
    kind: Type.Literal('orders-slowed'),
    /** About how many milliseconds the call adds to each order on the flagged path. */
    addedMs: Type.Integer({ minimum: 1, maximum: 60_000 }),
    /** The call, in words: `a lookup of the coupon catalog from the promotions service`. */
    call: Type.String({ minLength: 1, maxLength: 200 }),
  },
  Closed,
)

export const CouponKindUnpricedFaultSchema = Type.Object(
  {
    /**
     * The change adds a coupon of a kind the pricing code has no case for: every order carrying that coupon
     * fails, while every other coupon, known or not, still prices.
     */
    kind: Type.Literal('coupon-kind-unpriced'),
    /** The coupon code the change adds, as orders carry it: `FREESHIP`. */
    coupon: Type.String({
      minLength: 1,
      maxLength: 40,
      pattern: '^[A-Z0-9]+$',
      expected: 'a coupon code like FREESHIP',
    }),
    /** Its kind, in the catalog: `shipping`. */
    couponKind: Type.String({ minLength: 1, maxLength: 40 }),
    /** HTTP status the failing orders answer with. */
    statusCode: Type.Integer({ minimum: 500, maximum: 599 }),
  },
  Closed,
)

export const StartupMigrationFailsFaultSchema = Type.Object(
  {
    /**
     * The change runs a data migration when an api instance starts, and the instance is ready only once it is
     * done; on production's stored data it fails, so new instances never become ready.
     */
    kind: Type.Literal('startup-migration-fails'),
    /** The migration, in words: `rewrites every stored order's coupon code`. */
    migration: Type.String({ minLength: 1, maxLength: 200 }),
    /** What in production's data it did not expect, in words: `orders without a coupon`. */
    unexpected: Type.String({ minLength: 1, maxLength: 200 }),
  },
  Closed,
)

export const ArtifactRetaggedFaultSchema = Type.Object(
  {
    /**
     * The change is fine, but after staging verified its artifact someone rebuilt it (here: from trunk with an
     * ungated edit) and moved the tag production deploys by to the rebuild.
     */
    kind: Type.Literal('artifact-retagged'),
    /** The tag the pipeline promotes by. @defaultValue 'release' */
    tag: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      default: 'release',
    }),
    /** The patch the rebuild carries that staging never saw, next to the scenario. */
    rebuild: Type.String({ minLength: 1 }),
    /** What the rebuild changed, in words. */
    drift: Type.String({ minLength: 1, maxLength: 300 }),
  },
  Closed,
)

export const CurrencyOrdersFailFaultSchema = Type.Object(
  {
    /**
     * Orders in one currency, priced by the flagged path, fail; the test that would have shown it drew its input
     * at random, failed when it drew that currency, and was retried until it passed.
     */
    kind: Type.Literal('currency-orders-fail'),
    /** The currency whose orders fail, as orders carry it: `GBP`. */
    currency: Type.String({ pattern: '^[A-Z]{3}$', expected: 'an ISO 4217 code like GBP' }),
    /** HTTP status the failing orders answer with. @defaultValue 500 */
    statusCode: Type.Integer({ minimum: 500, maximum: 599, default: 500 }),
    /** The retried test, by its name. */
    test: Type.String({ minLength: 1, maxLength: 200 }),
    /** How many times the test may be retried after a failure before it counts as failed. */
    retries: Type.Integer({ minimum: 1, maximum: 10 }),
  },
  Closed,
)

/**
 * Not a change of ours: a dependency fails. The payment provider turns `provider` (its fault mode, shared through
 * Redis by every process that calls it) at the release's first step with a percent above 0, and stays so until the
 * drill ends. Nothing is committed or deployed; the shop's way through is its degrade switch.
 */
export const ProviderDegradedFaultSchema = Type.Object(
  {
    kind: Type.Literal('provider-degraded'),
    /** How the provider misbehaves: `{ mode: latency, ms }`, `{ mode: error-rate, percent }`, `{ mode: rate-limit, … }`, `{ mode: outage }`. */
    provider: FaultModeSchema,
    /** The shop's degrade switch for the provider: the flag that stops calling it (a kill switch). */
    degradeSwitch: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: FLAG_KEY_PATTERN,
      expected: 'a flag key like payments.defer-charges',
    }),
  },
  Closed,
)

/**
 * On the flagged path a failed charge is retried at once, again and again, with no backoff and no jitter. The
 * payment provider has a real capacity (charge attempts a second, every attempt counted whether it is served or
 * refused) that the shop's traffic stays well under; a short blip of the provider, after the flag reaches every
 * order, makes the retries pile up past it, and the provider refuses nearly everything from then on: the blip is
 * over but the storm of retries keeps it saturated.
 */
export const ChargesRetriedAtOnceFaultSchema = Type.Object(
  {
    kind: Type.Literal('charges-retried-at-once'),
    /** How many times the flagged path tries a charge, with no wait between two tries. */
    attempts: Type.Integer({ minimum: 2, maximum: 1000 }),
    /** The payment provider's capacity, in charge attempts a second across every process that calls it. */
    capacityPerSecond: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    /**
     * The provider's blip: its fault mode (`{ mode: outage }`, …) from `afterSeconds` (wall clock) into the last
     * release step, for `seconds`, then healthy again.
     */
    blip: Type.Object(
      {
        provider: FaultModeSchema,
        afterSeconds: Type.Number({ minimum: 0, maximum: 3600 }),
        seconds: Type.Number({ exclusiveMinimum: 0, maximum: 600 }),
      },
      Closed,
    ),
  },
  Closed,
)

/**
 * A target's own change, dark behind its flag: what it does wrong is the drill's to find out, by the target's
 * SLIs (a game day's question is whether the team's alerts see it).
 */
export const DarkChangeFaultSchema = Type.Object(
  {
    kind: Type.Literal('dark-change'),
    /** What the team expects the change to break, in one sentence, for the postmortem. */
    symptom: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  Closed,
)

/**
 * Not a change of ours: one of a target's dependencies fails. firedrill's fault proxy in front of it (the target
 * file's `dependencies`) does `inject` to the share of calls each release step names, from the first step above
 * 0 %, until the drill ends. Nothing is released by a flag; the team's way through is its degrade switch.
 */
export const DependencyFaultSchema = Type.Object(
  {
    kind: Type.Literal('dependency-fault'),
    /** Which of the target's dependencies (its `dependencies[].name`). @defaultValue the target's first */
    dependency: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9._-]*$',
        maxLength: 100,
        expected: 'a dependency name like rates',
      }),
    ),
    /** What the proxy does to the calls a step strikes; any of them together. Each step's percent is the share. */
    inject: Type.Object(
      {
        /** Delay the call by `ms` before passing it on (or answering it with a fault). */
        latency: Type.Optional(Type.Object({ ms: Type.Integer({ minimum: 1, maximum: 600_000 }) }, Closed)),
        /** Answer `code` instead of passing the call on. */
        status: Type.Optional(Type.Object({ code: Type.Integer({ minimum: 400, maximum: 599 }) }, Closed)),
        /** Reset the connection (ECONNRESET) instead of answering. */
        reset: Type.Optional(Type.Object({}, Closed)),
      },
      Closed,
    ),
    /** Filled in from the target file (the dependency's `degradeSwitch`); a scenario file leaves it out. */
    degradeSwitch: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, pattern: FLAG_KEY_PATTERN, expected: 'a flag key' }),
    ),
  },
  Closed,
)

/** What a change does wrong at run time, told apart by `kind`. */
export const FaultSchema = Type.Union([
  CouponOrdersFailFaultSchema,
  OrderRecordRenamedFaultSchema,
  SecretCommittedFaultSchema,
  ArtifactRetaggedFaultSchema,
  OrdersSlowedFaultSchema,
  CouponKindUnpricedFaultSchema,
  StartupMigrationFailsFaultSchema,
  CurrencyOrdersFailFaultSchema,
  ProviderDegradedFaultSchema,
  ChargesRetriedAtOnceFaultSchema,
  DarkChangeFaultSchema,
  DependencyFaultSchema,
])

export const ChangeSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 4_000 }),
    /**
     * The flag that guards the change; the responder's kill switch. Required by the `flag-canary` release; a
     * `rolling` release ships the change unflagged, so it has none.
     */
    flag: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: FLAG_KEY_PATTERN,
        expected: 'a flag key like checkout.new-pricing',
      }),
    ),
    /** The bad change as a patch file next to the scenario (optional for now). */
    patch: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * What the change does wrong at run time: `coupon-orders-fail`, `order-record-renamed`, `secret-committed`,
     * `orders-slowed`, `coupon-kind-unpriced`, `startup-migration-fails`, `currency-orders-fail`,
     * `charges-retried-at-once`; or `provider-degraded`, a dependency's
     * fault and no change of ours.
     */
    fault: FaultSchema,
    /**
     * What must stop the change: a step of the shop's gate, `deploy-verification` (production refuses an
     * artifact whose content hash is not the one staging verified), or `deploy-health` (a rolling release's new
     * instances never pass their health check, and the deploy rolls itself back). The drill is then a near miss (`prevented`),
     * and a change that gets past it, or is stopped by something else only, is a failed drill. Without it, the
     * change must pass the gate and deploy.
     */
    stoppedBy: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 80,
        pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$',
        expected: "the name of a step in the shop's gate, like secret-scan",
      }),
    ),
  },
  Closed,
)

export const ReleaseStepSchema = Type.Object(
  {
    /**
     * `flag-canary`: the share of traffic that sees the flag on at this step. `rolling`: the share of api
     * instances running the new artifact after this batch. `blue-green`: 100, the one switch of all traffic.
     * `instance-canary`: the canary's share of traffic, then 100.
     * `provider-fault`: 0 holds with the provider healthy; the first step above 0 turns the provider's fault on
     * (it stays on). `dependency-fault`: the share of calls to the target's dependency that the proxy faults.
     */
    percent: Type.Number({ minimum: 0, maximum: 100 }),
    /** Wall-clock seconds to hold this step before the next one. */
    holdSeconds: Type.Number({ minimum: 0, maximum: 3_600 }),
  },
  Closed,
)

/**
 * How the change reaches users: `flag-canary` deploys it dark and turns its flag on in steps; `rolling`
 * deploys it (unflagged) to the api instances in batches, so the deploy is the release; `blue-green` deploys it
 * (unflagged) to a second set of api instances beside the running ones (green beside blue), then switches all
 * traffic to them at once, and the way back is switching traffic back to blue, which still runs the build before;
 * `instance-canary` deploys it (unflagged) to one extra api instance, routes the first step's share of traffic to it,
 * and at the last step rolls every instance onto it; while only the canary runs it, the way back is taking the
 * canary out of the traffic; `provider-fault` releases no change of ours: the payment provider's fault
 * (`change.fault.kind: provider-degraded`) is the release; `dependency-fault` neither: firedrill's fault proxy in
 * front of a target's dependency faults a growing share of its calls (`change.fault.kind: dependency-fault`).
 */
export const RELEASE_STRATEGIES = [
  'flag-canary',
  'rolling',
  'blue-green',
  'instance-canary',
  'provider-fault',
  'dependency-fault',
] as const

/**
 * The post-deploy watch: once a deploy that puts users on a new build completes (a rolling release's last batch,
 * a blue-green switch, an instance canary's promotion), production's live api instances are watched for
 * `observationMinutes` against production's own baseline (the steady state before the release), and a breach rolls
 * production back. A dark deploy (`flag-canary`) changes nothing users see and is not watched.
 */
export const WatchSchema = Type.Object(
  {
    /** Whether deploys are watched at all. @defaultValue true */
    enabled: Type.Boolean({ default: true }),
    /** How long production is watched after the deploy completes, in scenario minutes (scaled by `timeScale`). @defaultValue 10 */
    observationMinutes: Type.Number({ exclusiveMinimum: 0, maximum: 1_440, default: 10 }),
    /** The error ratio (5xx / requests) at or above which the deploy is rolled back. @defaultValue 0.01 */
    maxErrorRatio: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.01 }),
    /** How far p95 latency may rise above the baseline's, in percent, before the deploy is rolled back. @defaultValue 20 */
    p95HeadroomPct: Type.Number({ minimum: 0, maximum: 1_000, default: 20 }),
    /**
     * The least rise in p95, in milliseconds, that rolls the deploy back, however small the baseline's p95: a
     * few milliseconds of scheduling noise on a busy host is not a regression. @defaultValue 25
     */
    p95MinIncreaseMs: Type.Number({ minimum: 0, maximum: 60_000, default: 25 }),
    /** Requests the window must hold before an evaluation counts. @defaultValue 50 */
    minRequests: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 50 }),
    /** Evaluations in a row that must breach before the watch rolls back. @defaultValue 3 */
    consecutiveBreaches: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  },
  { ...Closed, default: {} },
)

export const ReleaseSchema = Type.Object(
  {
    /** @defaultValue 'flag-canary' */
    strategy: Type.Union(
      RELEASE_STRATEGIES.map((s) => Type.Literal(s)),
      { default: 'flag-canary', expected: RELEASE_STRATEGIES.join(' or ') },
    ),
    /** Canary steps (or rolling batches), percent strictly ascending. */
    steps: Type.Array(ReleaseStepSchema, { minItems: 1, maxItems: 20 }),
    /** The post-deploy watch and its thresholds. @defaultValue every field's default */
    watch: WatchSchema,
    /**
     * Production's fulfilment workers once the change runs on every api instance (a flag canary's dark deploy, a
     * rolling release's last batch, a blue-green switch, an instance canary's promotion): `roll` onto the new build
     * with the api, and back with it when production rolls back; `keep` them on the build before, as a team whose
     * workers deploy on their own schedule does (journalled as a deliberate choice). @defaultValue 'roll'
     */
    workers: Type.Union([Type.Literal('roll'), Type.Literal('keep')], {
      default: 'roll',
      expected: 'roll or keep',
    }),
  },
  Closed,
)

const LABEL_VALUE_PATTERN = '^[a-z][a-z0-9_-]*$'
const LABEL_NAME_PATTERN = '^[a-zA-Z_][a-zA-Z0-9_]*$'

export const BurnRateRuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    /**
     * The alert's `severity` label: one of `detection.pageSeverities` wakes the responder (`page`,
     * `critical`), any other (`ticket`) is journalled and not paged. @defaultValue 'page'
     */
    severity: Type.String({
      pattern: LABEL_VALUE_PATTERN,
      expected: 'a severity like page, critical or ticket',
      default: 'page',
    }),
    /** Long window in scenario time. */
    longWindow: Duration(),
    /** Short window in scenario time; must be shorter than the long one. */
    shortWindow: Duration(),
    /** Fires when both windows burn the budget at least this many times faster than allowed. */
    burnRate: Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }),
  },
  Closed,
)

/** The SRE workbook's paging pair: 14.4× over 1h/5m and 6× over 6h/30m. */
export const DEFAULT_BURN_RATE_RULES = [
  { name: 'fast-burn', severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 },
  { name: 'slow-burn', severity: 'page', longWindow: '6h', shortWindow: '30m', burnRate: 6 },
] as const

export const GroupingSchema = Type.Object(
  {
    /** Labels that split alerts into groups, one page each; [] makes every alert of a drill one group. @defaultValue [] */
    groupBy: Type.Array(
      Type.String({ pattern: LABEL_NAME_PATTERN, expected: 'a label name like slo or alertname' }),
      { maxItems: 10, default: [] },
    ),
    /** A new group waits this long for more alerts before it pages (`group_wait`). @defaultValue '30s' */
    groupWait: Duration('30s'),
    /** A group's changes (alerts joining, resolving) are sent this often (`group_interval`). @defaultValue '5m' */
    groupInterval: Duration('5m'),
    /** An unchanged, still firing group is sent again after this (`repeat_interval`). @defaultValue '4h' */
    repeatInterval: Duration('4h'),
  },
  { ...Closed, default: {} },
)

export const DetectionSchema = Type.Object(
  {
    /**
     * How often metrics are scraped, wall-clock ms. A detector trails the first instant its burn condition holds
     * by up to one scrape: 100 ms keeps that within a tenth of the catalog's fastest detections. @defaultValue 100
     */
    scrapeIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 100 }),
    /** How often alert rules are evaluated, wall-clock ms. @defaultValue 100 */
    evaluationIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 100 }),
    /** Burn-rate rules, applied to every SLO in `slo.indicators`. @defaultValue DEFAULT_BURN_RATE_RULES */
    rules: Type.Array(BurnRateRuleSchema, {
      minItems: 1,
      maxItems: 10,
      default: DEFAULT_BURN_RATE_RULES.map((r) => ({ ...r })),
    }),
    /**
     * Evaluate the rules as soon as each scrape lands (a streaming detector); false evaluates on
     * evaluationIntervalMs's own schedule, as Prometheus does. @defaultValue true
     */
    evaluateOnScrape: Type.Boolean({ default: true }),
    /**
     * How long a firing alert keeps firing once its condition clears (Prometheus `keep_firing_for`), in scenario
     * time, so an alert flapping at its threshold stays one alert. @defaultValue '10m'
     */
    keepFiringFor: Duration('10m'),
    /** How alerts become notifications (Alertmanager's route), in scenario time. */
    grouping: GroupingSchema,
    /** Severity labels that page the responder; others are journalled, not paged. @defaultValue ['page', 'critical'] */
    pageSeverities: Type.Array(
      Type.String({ pattern: LABEL_VALUE_PATTERN, expected: 'a severity like page or critical' }),
      { minItems: 1, maxItems: 10, default: ['page', 'critical'] },
    ),
  },
  { ...Closed, default: {} },
)

export const ResponderSchema = Type.Object(
  {
    /** `bot` acknowledges and turns the flag off by itself; `human` waits for a person. @defaultValue 'bot' */
    kind: Type.Union([Type.Literal('bot'), Type.Literal('human')], { default: 'bot' }),
    /** Seconds the bot waits before acknowledging a page. @defaultValue 3 */
    ackDelaySeconds: Type.Number({ minimum: 0, maximum: 3_600, default: 3 }),
    /** Roster handle of who is on call; the first `on-call` member when absent. */
    owner: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * What a trainee's run is scored against (`firedrill train`), in wall-clock seconds from the page. The same
     * scenario and seed give every trainee the same incident, so the same targets make scores comparable.
     */
    targets: Type.Object(
      {
        /** Acknowledge the page within this. @defaultValue 30 */
        acknowledgeSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400, default: 30 }),
        /** Mitigate (the right flag off) within this. @defaultValue 120 */
        mitigateSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400, default: 120 }),
        /** Post the first status update to the incident channel within this. @defaultValue 90 */
        firstUpdateSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400, default: 90 }),
      },
      { ...Closed, default: {} },
    ),
  },
  { ...Closed, default: {} },
)

export const StopConditionsSchema = Type.Object(
  {
    /** Abort (flag off, traffic stopped) once this share of the error budget is gone. @defaultValue 50 */
    maxErrorBudgetConsumedPct: Type.Number({ exclusiveMinimum: 0, maximum: 100, default: 50 }),
    /** Abort once the drill has run this many wall-clock seconds. @defaultValue 300 */
    maxDurationSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400, default: 300 }),
  },
  { ...Closed, default: {} },
)

export const RecoverySchema = Type.Object(
  {
    /** Consecutive healthy rule evaluations that confirm recovery. @defaultValue 4 */
    consecutiveEvaluations: Type.Integer({ minimum: 1, maximum: 1_000, default: 4 }),
  },
  { ...Closed, default: {} },
)

export const ActionItemPrioritySchema = Type.Union([
  Type.Literal('P0'),
  Type.Literal('P1'),
  Type.Literal('P2'),
])
export const ActionItemTypeSchema = Type.Union([
  Type.Literal('prevent'),
  Type.Literal('detect'),
  Type.Literal('mitigate'),
  Type.Literal('process'),
])

export const PlannedActionItemSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    type: ActionItemTypeSchema,
    /** Sets the due date through the priority policy. @defaultValue 'P1' */
    priority: Type.Union([Type.Literal('P0'), Type.Literal('P1'), Type.Literal('P2')], { default: 'P1' }),
    /** Roster role that owns it (the first member with that role). @defaultValue by type */
    ownerRole: Type.Optional(Type.String({ minLength: 1 })),
  },
  Closed,
)

export const FollowUpSchema = Type.Object(
  {
    /** The fix as a patch file next to the scenario. */
    fix: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * The flag's close-out as a patch file next to the scenario: the change that removes the code path the
     * release flag guarded (applied on trunk once the fix is merged). The drill marks the flag completed, merges
     * this through the gate and archives the flag.
     */
    cleanup: Type.Optional(Type.String({ minLength: 1 })),
    /** Action items the postmortem starts from; it adds more from what the journal shows. */
    actionItems: Type.Optional(Type.Array(PlannedActionItemSchema, { maxItems: 20 })),
  },
  { ...Closed, default: {} },
)

/** A harmless change made while the drill runs, which a responder must not take for the incident's cause. */
export const DecoySchema = Type.Object(
  {
    /** A flag the incident has nothing to do with (not the change's flag). */
    flag: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: FLAG_KEY_PATTERN,
      expected: 'a flag key like checkout.gift-messages',
    }),
    /** What it is turned to. @defaultValue 'on' */
    to: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
    /** What the delay counts from: the release's first step, or the page. */
    after: Type.Union([Type.Literal('release'), Type.Literal('page')], { expected: 'release or page' }),
    /** Wall-clock seconds after that. */
    seconds: Type.Number({ minimum: 0, maximum: 3_600 }),
    /** Who turns it, as the flag audit log names them. @defaultValue 'storefront-team' */
    actor: Type.String({ minLength: 1, maxLength: 100, default: 'storefront-team' }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  Closed,
)

/** How `firedrill scenarios` presents a drill to the people choosing one: never the mitigation it expects. */
export const CatalogEntrySchema = Type.Object(
  {
    /** The delivery mistake the drill teaches to recognise, in one sentence. */
    teaches: Type.String({ minLength: 1, maxLength: 300 }),
    difficulty: Type.Union(
      [Type.Literal('introductory'), Type.Literal('intermediate'), Type.Literal('advanced')],
      {
        expected: 'introductory, intermediate or advanced',
      },
    ),
  },
  Closed,
)

export const ScenarioSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 4_000 }),
    /** What the catalog shows: the mistake taught and the difficulty. Optional outside the catalog. */
    catalog: Type.Optional(CatalogEntrySchema),
    /** Seeds traffic, faker and every random choice, so a drill can be replayed. */
    seed: Type.Integer({ minimum: 0, maximum: 4_294_967_295 }),
    /** Wall-clock seconds per scenario second: 1/240 (≈0.0041667) makes `1h` last 15 s and `5m` 1.25 s. */
    timeScale: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    service: ServiceSchema,
    traffic: TrafficSchema,
    slo: SloSchema,
    steadyState: SteadyStateSchema,
    change: ChangeSchema,
    release: ReleaseSchema,
    detection: DetectionSchema,
    responder: ResponderSchema,
    stopConditions: StopConditionsSchema,
    recovery: RecoverySchema,
    followUp: FollowUpSchema,
    /** Harmless changes during the drill (decoys), each journalled as `decoy.applied`. @defaultValue [] */
    decoys: Type.Array(DecoySchema, { maxItems: 10, default: [] }),
    /** Team roster file next to the scenario; a seeded faker roster when absent. */
    team: Type.Optional(Type.String({ minLength: 1 })),
  },
  Closed,
)

export type Scenario = Static<typeof ScenarioSchema>
export type Fault = Static<typeof FaultSchema>
export type BurnRateRule = Static<typeof BurnRateRuleSchema>
export type SloIndicator = Static<typeof SloIndicatorSchema>
export type ReleaseStep = Static<typeof ReleaseStepSchema>
export type ReleaseWatch = Static<typeof WatchSchema>
export type PlannedActionItem = Static<typeof PlannedActionItemSchema>
export type ActionItemPriority = Static<typeof ActionItemPrioritySchema>
export type ActionItemType = Static<typeof ActionItemTypeSchema>
