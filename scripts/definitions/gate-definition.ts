import { defineCommand } from '../command-definition.ts'

export const gateDefinition = defineCommand({
  name: 'gate',
  summary:
    'run the CI gate on a commit and record it in the ledger (0 green, 1 red, 2 error); --show reads a record',
  description:
    "Runs trunk's gate file (firedrill-gate.yaml) on exactly one commit, in a clean worktree, its steps in a " +
    "sandbox where the machine allows it, and records the result in the repository's ledger (git notes), signed " +
    'with Ed25519. With --show REF, prints the record of REF and whether trunk trusts its signature. With ' +
    '--public-key, prints the lines to add to firedrill-gate.pub on trunk so that this signer is trusted.',
  forms: [
    'gate [--repo DIR] [--ref REF] [--trunk BRANCH] [--sandbox auto|on|off] [--junit FILE] [--json]',
    'gate --show REF [--repo DIR] [--trunk BRANCH] [--json]',
    'gate --public-key',
  ],
  options: {
    repo: { type: 'string', value: 'DIR', default: '.', description: 'a directory inside the repository' },
    ref: { type: 'string', value: 'REF', description: 'the commit to gate (default HEAD)' },
    trunk: {
      type: 'string',
      value: 'BRANCH',
      description:
        "the trunk whose gate file and trusted keys judge (default: the gate file's trunk on main)",
    },
    sandbox: {
      type: 'string',
      value: 'auto|on|off',
      description: 'run steps in bubblewrap: auto (when it works), on (refuse without it), off',
    },
    junit: { type: 'string', value: 'FILE', description: 'also write the result as JUnit XML' },
    json: { type: 'boolean', description: 'print the result as JSON' },
    show: {
      type: 'string',
      value: 'REF',
      description: "print REF's ledger record instead of running the gate",
    },
    'public-key': { type: 'boolean', description: "print this signer's public key, to trust it on trunk" },
  },
})
