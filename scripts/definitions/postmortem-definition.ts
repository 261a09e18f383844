import { defineCommand } from '../command-definition.ts'

export const postmortemLintDefinition = defineCommand({
  name: 'postmortem lint',
  summary: 'lint a postmortem (.json, or the .json beside a .md): 0 clean, 1 problems, 2 unreadable',
  positionals: [{ name: 'FILE', description: 'postmortem.json, or the postmortem.md beside it' }],
  options: {
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
})
