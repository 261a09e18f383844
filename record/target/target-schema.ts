import { type Static, Type } from '@sinclair/typebox'
import { DURATION_PATTERN } from '../scenario/duration.ts'
import { FLAG_KEY_PATTERN } from '../scenario/scenario-schema.ts'

/*
 * The target file: a service firedrill did not start, already running somewhere reachable. It says where the
 * service answers, how its SLIs are read, how its flags are read and flipped, what traffic it gets, and
 * optionally where its repository and gate file are. Every object refuses unknown keys; the choices (`slis`,
 * `flags`, `traffic`) are mappings told apart by `kind`, so an error names the field that is wrong.
 */

const Closed = { additionalProperties: false } as const

const Duration = (defaultValue?: string) =>
  Type.String({
    pattern: DURATION_PATTERN,
    expected: 'a duration like 1s, 15s or 1m',
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  })

const HttpUrl = Type.String({
  pattern: '^https?://[^\\s/?#]+[^\\s]*$',
  expected: 'an http(s) URL like http://127.0.0.1:3000',
})

const UrlPath = (defaultValue: string) =>
  Type.String({ pattern: '^/[^\\s]*$', expected: 'a path like /healthz', default: defaultValue })

const METRIC_NAME = '^[a-zA-Z_:][a-zA-Z0-9_:]*$'
const LABEL_NAME = '^[a-zA-Z_][a-zA-Z0-9_]*$'

export const TargetServiceSchema = Type.Object(
  {
    /** The service's one URL (a load balancer, or a single instance). Give this or `instances`. */
    url: Type.Optional(HttpUrl),
    /** Each instance's base URL, when they are addressed one by one. Give this or `url`. */
    instances: Type.Optional(Type.Array(HttpUrl, { minItems: 1, maxItems: 64 })),
    /** Answers 2xx while the process is alive. @defaultValue '/healthz' */
    health: UrlPath('/healthz'),
    /** Answers 2xx while it should get traffic. @defaultValue '/readyz' */
    readiness: UrlPath('/readyz'),
    /** Real-time budget of one preflight request. @defaultValue 2000 */
    timeoutMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 2_000 }),
  },
  Closed,
)

/** SLIs from the service's own `/metrics`, scraped by firedrill, with the metric and label names mapped. */
export const MetricsSlisSchema = Type.Object(
  {
    kind: Type.Literal('metrics'),
    /** Where each instance exposes Prometheus text. @defaultValue '/metrics' */
    path: UrlPath('/metrics'),
    /** How often firedrill scrapes. @defaultValue '1s' */
    scrapeInterval: Duration('1s'),
    /** The request-duration histogram's name, without `_bucket`/`_count`/`_sum` (e.g. http_request_duration_seconds). */
    histogram: Type.String({ pattern: METRIC_NAME, expected: 'a Prometheus metric name' }),
    /** The label holding the HTTP status code. @defaultValue 'status_code' */
    statusLabel: Type.String({
      pattern: LABEL_NAME,
      expected: 'a Prometheus label name',
      default: 'status_code',
    }),
    /** The label holding the route. @defaultValue 'route' */
    routeLabel: Type.String({ pattern: LABEL_NAME, expected: 'a Prometheus label name', default: 'route' }),
    /** Only requests to this route count (its value of `routeLabel`); all routes when absent. */
    route: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  Closed,
)

/** SLIs from the team's Prometheus, queried over its HTTP API. `$window` in a query is replaced by a window. */
export const PrometheusSlisSchema = Type.Object(
  {
    kind: Type.Literal('prometheus'),
    /** The Prometheus server's base URL (its HTTP API is under /api/v1). */
    url: HttpUrl,
    /** How often that Prometheus scrapes the service (its `scrape_interval`): it bounds the drill's time scale. */
    scrapeInterval: Duration(),
    /** Bad events per second over `$window`, e.g. `sum(rate(http_requests_total{code=~"5.."}[$window]))`. */
    errors: Type.String({
      minLength: 1,
      maxLength: 2_000,
      pattern: '\\$window',
      expected: 'a PromQL expression using $window',
    }),
    /** All events per second over `$window`, e.g. `sum(rate(http_requests_total[$window]))`. */
    total: Type.String({
      minLength: 1,
      maxLength: 2_000,
      pattern: '\\$window',
      expected: 'a PromQL expression using $window',
    }),
  },
  Closed,
)

export const TargetSlisSchema = Type.Union([MetricsSlisSchema, PrometheusSlisSchema])

/** firedrill's own flag service (`firedrill serve` runs one), flipped with its bearer token. */
export const FiredrillFlagsSchema = Type.Object(
  {
    kind: Type.Literal('firedrill'),
    url: HttpUrl,
    /** The environment variable holding the flag service's token. @defaultValue 'FIREDRILL_FLAGS_TOKEN' */
    tokenEnv: Type.String({
      pattern: '^[A-Z_][A-Z0-9_]*$',
      expected: 'an environment variable name',
      default: 'FIREDRILL_FLAGS_TOKEN',
    }),
  },
  Closed,
)

/** A flagd flags file that the team's flagd watches; firedrill edits it atomically. */
export const FlagdFileFlagsSchema = Type.Object(
  {
    kind: Type.Literal('flagd'),
    /** The flags file, relative to the target file. */
    file: Type.String({ minLength: 1, maxLength: 1_000 }),
  },
  Closed,
)

/** OFREP to read a flag, and a command to flip it. */
export const OfrepFlagsSchema = Type.Object(
  {
    kind: Type.Literal('ofrep'),
    /** The OFREP provider's base URL (evaluations at /ofrep/v1/evaluate/flags/{key}). */
    url: HttpUrl,
    /**
     * The command that flips the flag, as argv: `{flag}` and `{variant}` (on, off) are filled in, and `{percent}`
     * (0..100, the share of targeting keys the flag serves on to) where an argument holds it. With `{percent}`,
     * each canary step passes its share; without it, a step above 0 turns the flag on for everyone.
     */
    flip: Type.Array(Type.String({ minLength: 1, maxLength: 1_000 }), { minItems: 1, maxItems: 50 }),
  },
  Closed,
)

export const TargetFlagSourceSchema = Type.Union([
  FiredrillFlagsSchema,
  FlagdFileFlagsSchema,
  OfrepFlagsSchema,
])

export const TargetFlagsSchema = Type.Object(
  {
    /** The flag guarding the team's dark change. */
    flag: Type.String({ pattern: FLAG_KEY_PATTERN, expected: 'a flag key like checkout.new-pricing' }),
    source: TargetFlagSourceSchema,
  },
  Closed,
)

/** No traffic from firedrill: the service's real traffic is what the SLIs see. */
export const NoTrafficSchema = Type.Object({ kind: Type.Literal('none') }, Closed)

/** One HTTP request, sent at a rate; `{{faker.module.method}}` in the path, a header or the body is drawn per request. */
export const RequestTemplateSchema = Type.Object(
  {
    method: Type.Union(
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)),
      { expected: 'GET, POST, PUT, PATCH or DELETE' },
    ),
    path: Type.String({ pattern: '^/[^\\s]*$', expected: 'a path like /orders' }),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String())),
    /** A JSON body; string values may hold faker fields. */
    body: Type.Optional(Type.Unknown()),
  },
  Closed,
)

export const TemplateTrafficSchema = Type.Object(
  {
    kind: Type.Literal('template'),
    /** Requests per second, open model. */
    ratePerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 5_000 }),
    request: RequestTemplateSchema,
  },
  Closed,
)

export const TargetTrafficSchema = Type.Union([NoTrafficSchema, TemplateTrafficSchema])

/** A git commit id, branch or tag: no spaces, no leading dash, none of the characters git refuses in a ref. */
const GitRef = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^(?!-)(?!.*\\.\\.)(?!.*@\\{)[^\\s~^:?*\\[\\\\]+$',
  expected: 'a commit id, branch or tag like 3f2a9c1 or fx-v2-fix',
})

/** The fix: a patch file (relative to the target file), or a branch of the repository holding it over trunk. */
export const TargetFixSchema = Type.Object(
  {
    /** A patch (`git diff` output) that applies to trunk, relative to the target file. */
    patch: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000 })),
    /** A branch of the repository whose changes over trunk are the fix. */
    branch: Type.Optional(GitRef),
  },
  Closed,
)

export const TargetRepoSchema = Type.Object(
  {
    /** The service's git repository, relative to the target file. */
    path: Type.String({ minLength: 1, maxLength: 1_000 }),
    /** The gate file in that repository. @defaultValue 'firedrill-gate.yaml' */
    gateFile: Type.String({ minLength: 1, maxLength: 1_000, default: 'firedrill-gate.yaml' }),
    /**
     * The commit (or a branch or tag naming it) that brought the change `flags.flag` guards, on trunk. After the
     * fix is merged, its code is put back on trunk and run through the gate, which must refuse it.
     */
    change: Type.Optional(GitRef),
    /** The team's fix, committed with the postmortem item's `Refs:` trailer and run through the gate after recovery. */
    fix: Type.Optional(TargetFixSchema),
  },
  Closed,
)

/**
 * firedrill's HTTP fault proxy in front of a dependency (`firedrill proxy serve --target <the dependency>`): the
 * service calls the proxy instead of the dependency, and every proxy of one `name` on one Redis injects the fault
 * that Redis holds, the one `firedrill proxy fault set --name <name>` sets. A drill sets it there too.
 */
export const DependencyProxySchema = Type.Object(
  {
    /** The proxy's base URL, as `firedrill proxy serve` printed it; the preflight reads its `/-/health`. */
    url: HttpUrl,
    /** The proxy's `--name`. @defaultValue the dependency's name */
    name: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 100, expected: 'a name like rates' }),
    ),
    /** The Redis the proxy reads its fault from (its `--redis`). @defaultValue REDIS_URL, else redis://127.0.0.1:6379 */
    redis: Type.Optional(
      Type.String({ pattern: '^rediss?://[^\\s]+$', expected: 'a Redis URL like redis://127.0.0.1:6379' }),
    ),
    /** The proxy's `--prefix` in that Redis. @defaultValue 'firedrill' */
    prefix: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      maxLength: 100,
      expected: 'a key prefix like firedrill',
      default: 'firedrill',
    }),
  },
  Closed,
)

/**
 * A dependency of the service that sits behind firedrill's fault proxy, so a drill can fail a share of the calls
 * to it (latency, a status code, resets), and the team's way through when it fails.
 */
export const TargetDependencySchema = Type.Object(
  {
    /** The dependency's name, as pages and the postmortem say it. */
    name: Type.String({
      pattern: '^[a-z0-9][a-z0-9._-]*$',
      maxLength: 100,
      expected: 'a name like rates (lower case, digits, ".", "_", "-")',
    }),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000 })),
    proxy: DependencyProxySchema,
    /**
     * The team's degrade switch for this dependency: a flag in `flags.source`, off in normal running, that makes
     * the service stop calling the dependency and degrade gracefully (cached or fixed answers). The bot's
     * mitigation when the dependency fails. Without one, the team has no lever: the drill ends the fault itself.
     */
    degradeSwitch: Type.Optional(
      Type.String({ pattern: FLAG_KEY_PATTERN, expected: 'a flag key like quotes.cached-rates' }),
    ),
  },
  Closed,
)

/** firedrill detects: it scrapes the SLIs and evaluates the scenario's burn-rate rules. */
export const FiredrillDetectionSchema = Type.Object({ kind: Type.Literal('firedrill') }, Closed)

/**
 * The team's own alerting detects: their Prometheus evaluates the rules `firedrill slo rules --target` wrote,
 * and their Alertmanager's webhook receiver posts to firedrill's pager at `listen` (its URL is
 * `http://<listen>/alertmanager`). firedrill still measures the SLIs, for the steady state and recovery.
 */
export const AlertmanagerDetectionSchema = Type.Object(
  {
    kind: Type.Literal('alertmanager'),
    /** Where firedrill's pager listens, as host:port on loopback, like 127.0.0.1:9095. */
    listen: Type.String({
      pattern: '^(127\\.0\\.0\\.1|localhost):[0-9]{1,5}$',
      expected: 'a loopback address like 127.0.0.1:9095',
    }),
    /** Severity labels that page. @defaultValue ['page', 'critical'] */
    pageSeverities: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
      minItems: 1,
      maxItems: 10,
      default: ['page', 'critical'],
    }),
  },
  Closed,
)

/**
 * The team's Prometheus detects, without an Alertmanager: firedrill reads its firing alerts over its HTTP API
 * (those that started during the drill) and pages with them, grouped as the scenario's detection says.
 */
export const PrometheusDetectionSchema = Type.Object(
  {
    kind: Type.Literal('prometheus'),
    /** The Prometheus server's base URL. */
    url: HttpUrl,
    /** How often its alerts are read. @defaultValue '1s' */
    pollInterval: Duration('1s'),
    /** Severity labels that page. @defaultValue ['page', 'critical'] */
    pageSeverities: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
      minItems: 1,
      maxItems: 10,
      default: ['page', 'critical'],
    }),
  },
  Closed,
)

export const TargetDetectionSchema = Type.Union([
  FiredrillDetectionSchema,
  AlertmanagerDetectionSchema,
  PrometheusDetectionSchema,
])

export const TargetSchema = Type.Object(
  {
    /** The target's name, used in run ids and pages. */
    name: Type.String({
      pattern: '^[a-z0-9][a-z0-9._-]*$',
      maxLength: 100,
      expected: 'a name like checkout (lower case, digits, ".", "_", "-")',
    }),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 4_000 })),
    service: TargetServiceSchema,
    slis: TargetSlisSchema,
    flags: TargetFlagsSchema,
    /** @defaultValue `{ kind: none }`: the service's real traffic */
    traffic: Type.Optional(TargetTrafficSchema),
    repo: Type.Optional(TargetRepoSchema),
    /** Who detects during `firedrill run --target`. @defaultValue `{ kind: firedrill }` */
    detection: Type.Optional(TargetDetectionSchema),
    /** The service's dependencies behind firedrill's fault proxy, for `target-dependency-fault`. @defaultValue none */
    dependencies: Type.Optional(Type.Array(TargetDependencySchema, { minItems: 1, maxItems: 20 })),
  },
  Closed,
)

export type Target = Static<typeof TargetSchema>
export type TargetSlis = Static<typeof TargetSlisSchema>
export type TargetFlagSource = Static<typeof TargetFlagSourceSchema>
export type TargetDetection = Static<typeof TargetDetectionSchema>
export type TargetTraffic = Static<typeof TargetTrafficSchema>
export type RequestTemplate = Static<typeof RequestTemplateSchema>
export type TargetDependency = Static<typeof TargetDependencySchema>
