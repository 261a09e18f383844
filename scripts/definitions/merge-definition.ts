import { defineCommand } from '../command-definition.ts'

export const mergeDefinition = defineCommand({
  name: 'merge',
  summary: 'merge into trunk only when the branch head is green in the ledger (0 merged, 1 refused)',
  positionals: [{ name: 'BRANCH', description: 'the branch to merge' }],
  options: {
    repo: { type: 'string', value: 'DIR', default: '.', description: 'a directory inside the repository' },
    trunk: {
      type: 'string',
      value: 'BRANCH',
      description: "the trunk (default the gate file's trunk, else main)",
    },
  },
})
