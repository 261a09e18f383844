import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { RUN_SANDBOX } from '../record/dora/run-dora.ts'

/** The repository a postmortem is judged against, and how it was found, for the verdict to say. */
export interface JudgedRepository {
  dir: string
  /** `--repo`: given; `run`: the run's sandbox beside the postmortem; `cwd`: the current directory. */
  source: 'given' | 'run' | 'cwd'
}

async function isGitRepositoryTop(dir: string): Promise<boolean> {
  return (await stat(join(dir, '.git')).catch(() => null)) !== null
}

/**
 * The repository to judge a postmortem against: `--repo` when given; else the run's own service repository
 * (`sandbox/` beside the postmortem, as a drill leaves it); else the current directory.
 */
export async function judgedRepository(postmortemFile: string, given?: string): Promise<JudgedRepository> {
  if (given !== undefined) return { dir: resolve(given), source: 'given' }
  const sandbox = join(dirname(resolve(postmortemFile)), RUN_SANDBOX.dir)
  if (await isGitRepositoryTop(sandbox)) return { dir: sandbox, source: 'run' }
  return { dir: process.cwd(), source: 'cwd' }
}

/** `repository /path (the run's sandbox beside the postmortem)`. */
export function describeJudgedRepository(repo: JudgedRepository): string {
  const how = {
    given: '--repo',
    run: "the run's sandbox beside the postmortem",
    cwd: 'the current directory; pass --repo DIR to judge another',
  }[repo.source]
  return `repository ${repo.dir} (${how})`
}
