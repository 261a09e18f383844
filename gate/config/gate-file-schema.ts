import { type Static, Type } from '@sinclair/typebox'
import { GATE_DURATION_PATTERN } from './gate-duration.ts'

/** The steps firedrill ships; a gate file names them with `uses`. */
export const BUILT_IN_STEPS = [
  'typecheck',
  'unit-tests',
  'contract-tests',
  'secret-scan',
  'flag-inventory',
  'flag-debt',
  'cfr-governor',
] as const
export type BuiltInStep = (typeof BUILT_IN_STEPS)[number]

/** The gate file's name at the repository root. */
export const GATE_FILE_NAME = 'firedrill-gate.yaml'

export const GateStepSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 80,
      pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$',
      expected: 'a name of letters, digits, spaces, dots, dashes or underscores (1..80 characters)',
    }),
    uses: Type.Optional(Type.Union(BUILT_IN_STEPS.map((s) => Type.Literal(s)))),
    run: Type.Optional(Type.String({ minLength: 1, expected: 'a shell command (not empty)' })),
    with: Type.Optional(
      Type.Object(
        {
          /** Test files or folders for `unit-tests`/`contract-tests`, or what `secret-scan` looks at. */
          paths: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
          /**
           * `unit-tests`/`contract-tests`: each test file in a fresh worker (vitest's `isolate`). `false` runs the
           * files one after another in one worker that keeps the modules they loaded, much sooner, for tests that
           * leave nothing behind (no module state, globals or timers another file could see). The same files and
           * assertions run either way. @defaultValue true
           */
          isolate: Type.Optional(Type.Boolean()),
          /**
           * `secret-scan`: files or folders it never reads, for deliberate fixtures too long to mark line by line
           * (a drill's planted key). A change to this list changes the gate file, which the gate reports.
           */
          ignore: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
          /** The flags file `flag-inventory` or `flag-debt` checks. @defaultValue 'services/flags/flags.json' */
          flagsFile: Type.Optional(Type.String({ minLength: 1 })),
          /** The fourkeys JSON export `cfr-governor` reads (required there), relative to the repository root. */
          events: Type.Optional(Type.String({ minLength: 1 })),
          /** `cfr-governor`: days in the trailing period, ending when the gate runs. @defaultValue 30 */
          trailingDays: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 3650, expected: 'a whole number of days (1..3650)' }),
          ),
          /** `cfr-governor`: days in the baseline period, just before the trailing one. @defaultValue 90 */
          baselineDays: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 3650, expected: 'a whole number of days (1..3650)' }),
          ),
          /** `cfr-governor`: how far the change failure rate may rise over the baseline, absolute. @defaultValue 0.05 */
          maxFailureRateIncrease: Type.Optional(
            Type.Number({
              minimum: 0,
              maximum: 1,
              expected: 'a rate increase between 0 and 1 (0.05 = 5 points)',
            }),
          ),
          /** `cfr-governor`: how many times the baseline recovery time the trailing one may reach. @defaultValue 1.5 */
          maxRecoveryTimeRatio: Type.Optional(
            Type.Number({
              minimum: 1,
              maximum: 100,
              expected: 'a ratio between 1 and 100 (1.5 = 50% slower)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    /** A failed blocking step makes the gate red; a non-blocking one is only reported. @defaultValue true */
    blocking: Type.Boolean({ default: true }),
    /** @defaultValue '10m' */
    timeout: Type.String({
      pattern: GATE_DURATION_PATTERN,
      default: '10m',
      expected: 'a duration like 90s, 5m or 1m30s (units h, m, s, ms; at most 1h)',
    }),
    /** Steps that must pass before this one starts; steps with nothing pending run in parallel. */
    needs: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  },
  { additionalProperties: false },
)

export const GateFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** @defaultValue 'main' */
    trunk: Type.String({ minLength: 1, default: 'main' }),
    /**
     * `required`: the gate refuses to run steps outside the bubblewrap sandbox (exit 2) rather than expose the
     * signing key to them; `auto`: sandboxed where the machine allows it, else a scrubbed environment only.
     * Only trunk's value counts. @defaultValue 'auto'
     */
    sandbox: Type.Union([Type.Literal('auto'), Type.Literal('required')], {
      default: 'auto',
      expected: 'auto or required',
    }),
    steps: Type.Array(GateStepSchema, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
)

export type GateFileInput = Static<typeof GateFileSchema>
export type GateStepInput = Static<typeof GateStepSchema>
