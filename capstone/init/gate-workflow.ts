/** Where the capstone's workflow goes, and the name of its job: the check a ruleset makes required. */
export const GATE_WORKFLOW_FILE = '.github/workflows/firedrill-gate.yml'
export const GATE_CHECK_NAME = 'firedrill gate'

/**
 * The capstone's GitHub Actions workflow: the gate as the required check on every pull request and merge
 * queue group. It uses only what a pull request from a fork has: no secrets, a read-only token, the ledger
 * fetched from the repository (so earlier records are there to read), a Redis service for the test steps.
 * The gate signs its record with a key made inside the runner's own `.git`; nothing is pushed back.
 */
export function capstoneGateWorkflow(): string {
  return `# The capstone's required check: the firedrill gate on every pull request and merge queue group.
# Make "${GATE_CHECK_NAME}" a required status check of the trunk's ruleset (Settings > Rules), with
# "Require merge queue" if you use one. It needs no secret, so pull requests from forks get the same check.
name: ${GATE_CHECK_NAME}

on:
  pull_request:
  merge_group:

permissions:
  contents: read

concurrency:
  group: firedrill-gate-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  gate:
    name: ${GATE_CHECK_NAME}
    runs-on: ubuntu-latest
    timeout-minutes: 20
    services:
      redis:
        image: redis:7
        ports:
          - 6379:6379
        options: >-
          --health-cmd "redis-cli ping"
          --health-interval 5s
          --health-timeout 3s
          --health-retries 10
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Fetch the gate ledger
        run: git fetch --no-tags origin '+refs/notes/firedrill:refs/notes/firedrill' || echo "no ledger on the remote yet"
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install
        run: npm install --no-audit --no-fund
      - name: Gate the commit under test
        env:
          REDIS_URL: redis://127.0.0.1:6379
        run: npx firedrill gate --ref HEAD --junit firedrill-gate.junit.xml
      - name: Keep the gate's report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: firedrill-gate-junit
          path: firedrill-gate.junit.xml
          if-no-files-found: ignore
`
}
