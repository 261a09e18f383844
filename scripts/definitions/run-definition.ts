import { defineCommand } from '../command-definition.ts'
import { DRILL_OPTIONS } from './drill-options.ts'

export const runDefinition = defineCommand({
  name: 'run',
  summary: 'one whole drill; progress on stderr, summary on stdout',
  description:
    'Runs one whole drill against the shop: preflight, the bad change deployed dark and released in canary steps ' +
    "of its flag (or, unflagged, in a rolling deploy's batches), detection, paging, response and recovery, then " +
    'the follow-up (the fix through the gate, verify, the flag close-out). ' +
    'Exit 0 when it recovered and the loop closed (or an --again run was prevented), 1 when not, 2 on bad input.',
  options: {
    scenario: DRILL_OPTIONS.scenario,
    seed: DRILL_OPTIONS.seed,
    responder: { type: 'string', value: 'bot|human', description: "overrides the scenario's responder" },
    out: DRILL_OPTIONS.out,
    json: { type: 'boolean', default: false, description: 'print the summary as one JSON object' },
    redis: DRILL_OPTIONS.redis,
    ci: {
      type: 'boolean',
      default: false,
      description:
        'a drill as a regression check: the bot answers the page, each check is printed, and the checks go to ' +
        '$GITHUB_STEP_SUMMARY when it is set',
    },
    junit: {
      type: 'string',
      value: 'FILE',
      description:
        "also write the run's checks as JUnit XML (each phase's exit checks, the incident, the loop)",
    },
    target: {
      type: 'string',
      value: 'FILE',
      description:
        'drill a service firedrill did not start, described by a target file; the scenario defaults to target-canary',
    },
    merge: {
      type: 'boolean',
      default: false,
      description:
        "with --target naming a repo: also fast-forward the team's trunk to the fix merged through the gate " +
        "(by default only the fix's branch and its gate record are written there)",
    },
    'skip-follow-up': {
      type: 'boolean',
      default: false,
      description:
        "end after cleanup: no fix, replay or flag close-out (the journal says so, and the loop's checks are " +
        'skipped, not failed); for practising the incident alone',
    },
    again: {
      type: 'string',
      value: 'RUN_DIR',
      description: "repeat that run's workload on its fixed trunk: the gate must refuse the bad change",
    },
  },
  examples: [
    'npx firedrill run',
    'npx firedrill run --again .firedrill/runs/<run-id>',
    'npx firedrill run --scenario latency-regression --skip-follow-up',
    'npx firedrill run --ci --junit drill.xml --out drill-run',
    'npx firedrill run --target examples/shop-target/target.yaml',
    'npx firedrill run --target service/target.yaml --merge',
  ],
})
