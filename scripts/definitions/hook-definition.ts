import { defineCommand } from '../command-definition.ts'

export const hookInstallDefinition = defineCommand({
  name: 'hook install',
  summary: 'install the git hooks that refuse a merge into trunk whose branch head has no green gate record',
  description:
    'Installs pre-merge-commit and pre-commit hooks in the repository, and makes a plain `git merge` into ' +
    'trunk a merge commit (so the hook sees it), as a required check would on a forge. `firedrill init` and a ' +
    "drill's sandbox install them already; use this in a clone.",
  options: {
    repo: { type: 'string', value: 'DIR', default: '.', description: 'a directory inside the repository' },
  },
})

export const hookCheckMergeDefinition = defineCommand({
  name: 'hook check-merge',
  summary:
    'what the hooks run: refuse the merge in progress into trunk unless every merged head is green (0 or 1)',
  options: {
    repo: { type: 'string', value: 'DIR', default: '.', description: 'a directory inside the repository' },
  },
})
