import { defineCommand } from '../command-definition.ts'

export const gateDefinition = defineCommand({
  name: 'gate',
  summary:
    'run the CI gate on a commit and record it in the ledger (0 green, 1 red, 2 error); --show reads a record',
  description:
    'Runs the gate file (firedrill-gate.yaml) on exactly one commit, in a clean worktree, and records the signed ' +
    "result in the repository's ledger (git notes). With --show REF, prints the record of REF and whether its " +
    'signature holds.',
  forms: ['gate [--repo DIR] [--ref REF] [--junit FILE] [--json]', 'gate --show REF [--repo DIR] [--json]'],
  options: {
    repo: { type: 'string', value: 'DIR', default: '.', description: 'a directory inside the repository' },
    ref: { type: 'string', value: 'REF', description: 'the commit to gate (default HEAD)' },
    junit: { type: 'string', value: 'FILE', description: 'also write the result as JUnit XML' },
    json: { type: 'boolean', description: 'print the result as JSON' },
    show: {
      type: 'string',
      value: 'REF',
      description: "print REF's ledger record instead of running the gate",
    },
  },
})
