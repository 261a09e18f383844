import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { git } from '../../record/git/git.ts'
import { GATE_FILE_NAME } from '../config/gate-file-schema.ts'
import { parseGateFile } from '../config/parse-gate-file.ts'
import { MergeHookExistsError } from '../gate-errors.ts'

/** The hooks git runs before a merge commit (`pre-merge-commit`) and when a conflicted merge is committed. */
export const TRUNK_MERGE_HOOKS = ['pre-merge-commit', 'pre-commit'] as const

/** The line that marks a hook as firedrill's own, so installing again replaces it and nothing else. */
export const TRUNK_MERGE_HOOK_MARKER = '# firedrill: trunk merge check'

/** The command line the hooks call: this installation's `bin/firedrill.js`. */
export const FIREDRILL_BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'firedrill.js')

export interface InstalledHooks {
  trunk: string
  hooksDir: string
  files: string[]
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/** The hook script: only a merge in progress into trunk reaches the (slower) check. */
export function trunkMergeHookScript(trunk: string, node: string, bin: string): string {
  return `#!/bin/sh
${TRUNK_MERGE_HOOK_MARKER} (written by firedrill hook install; it writes it again)
# Refuses a merge into ${trunk} whose branch head has no green gate record, as a required check would on a forge.
trunk=${quote(trunk)}
branch=$(git symbolic-ref --quiet --short HEAD) || exit 0
[ "$branch" = "$trunk" ] || exit 0
# git merge names each head it merges in GITHEAD_<commit>; a merge committed after conflicts leaves MERGE_HEAD.
if ! env | grep -q '^GITHEAD_' && [ ! -f "$(git rev-parse --git-path MERGE_HEAD)" ]; then exit 0; fi
node=${quote(node)}
bin=${quote(bin)}
if [ ! -f "$bin" ]; then
  echo "firedrill: cannot check this merge into $trunk: $bin is gone. Run firedrill hook install again, or git merge --abort." >&2
  exit 1
fi
exec "$node" "$bin" hook check-merge
`
}

async function trunkOfHead(top: string): Promise<string> {
  try {
    return parseGateFile(await git(top, ['show', `HEAD:${GATE_FILE_NAME}`]), GATE_FILE_NAME).trunk
  } catch {
    return 'main'
  }
}

/**
 * Installs the hooks that refuse a merge into trunk whose merged heads have no green gate record, and makes a
 * plain `git merge` into trunk a merge commit (`branch.<trunk>.mergeOptions --no-ff`, so the hook sees it),
 * while `git pull` stays a fast-forward (`pull.ff only`, unless set). A hook of the repository's own is never
 * overwritten (`MergeHookExistsError`); firedrill's own is replaced.
 */
export async function installTrunkMergeHooks(
  repo: string,
  options: { trunk?: string; node?: string; bin?: string } = {},
): Promise<InstalledHooks> {
  const top = await git(resolve(repo), ['rev-parse', '--show-toplevel'])
  const trunk = options.trunk ?? (await trunkOfHead(top))
  const path = await git(top, ['rev-parse', '--git-path', 'hooks'])
  const hooksDir = isAbsolute(path) ? path : join(top, path)
  await mkdir(hooksDir, { recursive: true })
  const script = trunkMergeHookScript(trunk, options.node ?? process.execPath, options.bin ?? FIREDRILL_BIN)
  const files: string[] = []
  for (const name of TRUNK_MERGE_HOOKS) {
    const file = join(hooksDir, name)
    const existing = await readFile(file, 'utf8').catch(() => undefined)
    if (existing !== undefined && !existing.includes(TRUNK_MERGE_HOOK_MARKER))
      throw new MergeHookExistsError(file)
    await writeFile(file, script)
    await chmod(file, 0o755)
    files.push(file)
  }
  await git(top, ['config', `branch.${trunk}.mergeOptions`, '--no-ff'])
  const pullFf = await git(top, ['config', '--get', 'pull.ff']).catch(() => '')
  if (pullFf === '') await git(top, ['config', 'pull.ff', 'only'])
  return { trunk, hooksDir, files }
}
