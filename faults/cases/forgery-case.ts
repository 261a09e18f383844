import { createFixtureRepo, gateTestEnv } from '../../gate/testing/fixture-repo.ts'
import { runForgeAttempts } from '../../gate/testing/forge-attempts.ts'
import { emptyRow, type FaultCase } from '../fault-case.ts'

/** Every known way to forge a green record, against a real repository and its ledger: none may be accepted. */
export const forgedRecords: FaultCase = {
  name: 'forged gate records',
  async run() {
    const repo = await createFixtureRepo(
      { 'README.md': 'a repository to forge records in\n' },
      'version: 1\nsteps:\n  - name: ok\n    run: "true"\n',
    )
    try {
      const report = await runForgeAttempts(repo.dir, { env: gateTestEnv() })
      const accepted = report.attempts.filter((a) => a.accepted).map((a) => a.name)
      return {
        ...emptyRow(
          this.name,
          `${report.attempts.length} attacks${accepted.length > 0 ? `; accepted: ${accepted.join(', ')}` : ''}`,
        ),
        forgedAccepted: report.forged,
      }
    } finally {
      await repo.remove()
    }
  },
}
