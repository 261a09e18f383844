import { defineCommand } from '../command-definition.ts'

export const initDefinition = defineCommand({
  name: 'init',
  summary: 'create a capstone repository: the shop, its gate, flags, CI workflow, mistake log and README',
  description:
    'Creates a capstone repository in DIR (which must be empty or absent): a git repository on trunk holding ' +
    'the shop, its gate file, its flags file (every flag with owner, removal ticket and expiry), a GitHub ' +
    'Actions workflow that runs the gate as the required check, a mistake log, and a README mapping each of the ' +
    "capstone's criteria to the command that produces its evidence. Installs the git hook that refuses a merge " +
    'into trunk whose branch head has no green gate record.',
  positionals: [{ name: 'DIR', description: 'where the repository goes (absent or empty)' }],
  options: {},
  examples: ['npx firedrill init my-capstone && cd my-capstone && npx firedrill grade'],
})
