import { defineCommand } from '../command-definition.ts'
import { DRILL_OPTIONS } from './drill-options.ts'

export const trainDefinition = defineCommand({
  name: 'train',
  summary: 'a drill with a trainee answering the page in a live console in the browser; a facilitator page',
  description:
    'Runs a drill whose page goes to a trainee in a browser console on 127.0.0.1: the pager, dashboards (queue ' +
    "depth among them), flags, changes, the payment provider's status page, the shop's logs, runbooks and an " +
    'incident channel. The facilitator page (its own URL and token) shows the plan and preflight to approve before ' +
    'anything changes, the ground truth, the live score, hints, pause and abort. With --trainees N, N drills run ' +
    'at once, isolated, and one group page approves and aborts them all. The run is ' +
    'scored from its journal (see training/RUBRIC.md); firedrill scores compares runs. Exit 0 when the incident ' +
    'recovered, 1 when not (aborted, refused at review, not recovered), 2 on bad input.',
  options: {
    scenario: DRILL_OPTIONS.scenario,
    seed: DRILL_OPTIONS.seed,
    trainee: {
      type: 'string',
      value: 'NAME',
      default: 'trainee',
      description: "the trainee's name: every action from the console is credited to it",
    },
    trainees: {
      type: 'string',
      value: 'N',
      description:
        'N isolated drills at once (1..8), same scenario and seed, named NAME-1…NAME-N, and one facilitator page over them',
    },
    port: {
      type: 'string',
      value: 'P',
      description:
        "the console's port on 127.0.0.1 (with --trainees, the group page's) (default: a free one)",
    },
    open: {
      type: 'boolean',
      description:
        'open the facilitator page in your browser (xdg-open, or open on macOS); when it cannot, a line says to open the URL by hand',
    },
    out: DRILL_OPTIONS.out,
    redis: DRILL_OPTIONS.redis,
  },
  examples: [
    'npx firedrill train --open',
    'npx firedrill train --trainee ana --port 8080',
    'npx firedrill train --trainees 4 --open',
  ],
})
