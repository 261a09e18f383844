import { generateKeyPairSync } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { git } from '../../record/git/git.ts'
import { mergeWhenGreen } from '../merge/merge-when-green.ts'
import { runGate } from '../runner/run-gate.ts'
import { verifyPostmortem } from '../verify/verify-postmortem.ts'
import { forgeEnvelope, forgeWith, readNote, writeNote } from './forge-records.ts'
import { keyThiefScript, lootIn } from './key-thief.ts'

/** One known way to get a record, or an item, accepted without going through the gate green. */
export interface ForgeAttempt {
  name: string
  /** What it tries to fool: `merge` (a change reaches trunk) or `verify` (an item counts as closed). */
  judge: 'merge' | 'verify'
  accepted: boolean
  /** What happened: the refusal, or how it got through. */
  detail: string
}

/** A private clone the attacks run in, its trunk holding the forge's gate file, and what they need. */
export interface Forge {
  dir: string
  trunk: string
  env: NodeJS.ProcessEnv
  /** `{ trunk }` when the caller named one; otherwise firedrill finds trunk itself. */
  trunkOption: { trunk?: string }
  /** A real record the ledger accepted (the honest change's), for attackers to copy. */
  template: Record<string, unknown>
  scratch: string
}

/**
 * The forge's trunk policy: a guard no change can rewrite (a shell test, not a file in the repository) that is
 * red on any commit holding FORGED, and a step that runs the change's own code, as unit tests do.
 */
export const forgeGate = (trunk: string) =>
  `version: 1\ntrunk: ${trunk}\nsteps:\n  - name: guard\n    run: "test ! -e FORGED"\n  - name: tests\n    run: "node forge/check.mjs"\n`

export async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    if (text === null) await rm(join(dir, path), { force: true })
    else {
      await mkdir(dirname(join(dir, path)), { recursive: true })
      await writeFile(join(dir, path), text)
    }
  }
}

export async function commitOn(
  forge: Pick<Forge, 'dir'>,
  branch: string,
  from: string,
  files: Record<string, string | null>,
  message: string,
): Promise<string> {
  await git(forge.dir, ['checkout', '-q', '-B', branch, from])
  await writeFiles(forge.dir, files)
  await git(forge.dir, ['add', '-A'])
  await git(forge.dir, ['commit', '-q', '--allow-empty', '-m', message])
  const commit = await git(forge.dir, ['rev-parse', 'HEAD'])
  await git(forge.dir, ['checkout', '-q', '-f', from])
  return commit
}

const treeOf = (dir: string, commit: string) => git(dir, ['rev-parse', `${commit}^{tree}`])

/** Tries to merge `branch`; accepted when trunk then holds `target`. Trunk is put back either way. */
async function tryMerge(
  forge: Forge,
  branch: string,
  target: string,
): Promise<{ accepted: boolean; detail: string }> {
  const before = await git(forge.dir, ['rev-parse', forge.trunk])
  let detail = 'merged'
  try {
    await mergeWhenGreen({ repo: forge.dir, branch, env: forge.env, ...forge.trunkOption })
  } catch (err) {
    const e = err as { refusal?: string; code?: string; message?: string }
    detail = `refused${e.refusal === undefined ? '' : ` (${e.refusal})`}: ${e.message ?? String(err)}`
  }
  const accepted = await git(forge.dir, ['merge-base', '--is-ancestor', target, forge.trunk]).then(
    () => true,
    () => false,
  )
  await git(forge.dir, ['checkout', '-q', '-f', forge.trunk])
  await git(forge.dir, ['reset', '-q', '--hard', before])
  return { accepted, detail }
}

export async function gate(forge: Forge, ref: string, trunkOption: { trunk?: string } = forge.trunkOption) {
  return runGate({ repo: forge.dir, ref, env: forge.env, ...trunkOption })
}

/** The change's own code (its `tests` step) reads every place a key could be, then the attacker signs with it. */
async function stealKey(forge: Forge): Promise<ForgeAttempt> {
  const home = forge.env.HOME ?? '/root'
  const files = [
    join(forge.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'firedrill', 'gate-signing-key.pem'),
    join(home, '.config', 'firedrill', 'gate-signing-key.pem'),
    join(forge.dir, '.git', 'firedrill', 'gate.key'),
  ]
  const target = await commitOn(
    forge,
    'forge/steal-key',
    forge.trunk,
    { FORGED: 'x\n', 'forge/check.mjs': keyThiefScript(files) },
    'test: a unit test that reads the signing key',
  )
  const { result } = await gate(forge, 'forge/steal-key')
  const loot = result.steps.flatMap((s) => lootIn(s.outputTail))
  const tried: string[] = []
  for (const { source, value } of loot) {
    const forged = forgeWith(forge.template, { commit: target, tree: await treeOf(forge.dir, target) }, value)
    if (forged === undefined) continue
    await writeNote(forge.dir, target, forged)
    const merged = await tryMerge(forge, 'forge/steal-key', target)
    tried.push(`${source}: ${merged.detail}`)
    if (merged.accepted)
      return {
        name: 'steal-key',
        judge: 'merge',
        accepted: true,
        detail: `signed with the key from ${source}`,
      }
  }
  return {
    name: 'steal-key',
    judge: 'merge',
    accepted: false,
    detail:
      loot.length === 0
        ? 'the change’s code found no key to sign with'
        : `found ${loot.map((l) => l.source).join(', ')}; ${tried.join('; ') || 'none signs a record'}`,
  }
}

/** The change deletes the blocking step that would stop it from its own gate file. */
async function weakenGate(forge: Forge): Promise<ForgeAttempt> {
  const weak = `version: 1\ntrunk: ${forge.trunk}\nsteps:\n  - name: tests\n    run: "true"\n`
  const target = await commitOn(
    forge,
    'forge/weaken-gate',
    forge.trunk,
    { FORGED: 'x\n', 'firedrill-gate.yaml': weak },
    'ci: drop the guard',
  )
  await gate(forge, 'forge/weaken-gate')
  const merged = await tryMerge(forge, 'forge/weaken-gate', target)
  return { name: 'weaken-gate', judge: 'merge', ...merged }
}

/** The change's gate file names a trunk of the attacker's, whose gate file is empty of checks. */
async function trunkFromBranch(forge: Forge): Promise<ForgeAttempt> {
  const branch = 'forge/own-trunk'
  const weak = `version: 1\ntrunk: ${branch}\nsteps:\n  - name: tests\n    run: "true"\n`
  const target = await commitOn(
    forge,
    branch,
    forge.trunk,
    { FORGED: 'x\n', 'firedrill-gate.yaml': weak },
    'ci: my own trunk',
  )
  await gate(forge, branch, {})
  const before = await git(forge.dir, ['rev-parse', forge.trunk])
  let detail = 'merged'
  try {
    await mergeWhenGreen({ repo: forge.dir, branch, env: forge.env })
  } catch (err) {
    detail = `refused: ${(err as Error).message}`
  }
  const accepted = await git(forge.dir, ['merge-base', '--is-ancestor', target, forge.trunk]).then(
    () => true,
    () => false,
  )
  await git(forge.dir, ['checkout', '-q', '-f', forge.trunk])
  await git(forge.dir, ['reset', '-q', '--hard', before])
  return { name: 'trunk-from-branch', judge: 'merge', accepted, detail }
}

/** The attacker commits their own public key beside the change and signs its record with their own key. */
async function ownKey(forge: Forge): Promise<ForgeAttempt> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const target = await commitOn(
    forge,
    'forge/own-key',
    forge.trunk,
    { FORGED: 'x\n', 'firedrill-gate.pub': publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    'chore: trust my key',
  )
  if (typeof forge.template.payload !== 'string')
    return {
      name: 'own-key',
      judge: 'merge',
      accepted: false,
      detail: 'the ledger holds no signed envelopes to copy',
    }
  await writeNote(
    forge.dir,
    target,
    forgeEnvelope(forge.template, { commit: target, tree: await treeOf(forge.dir, target) }, pem),
  )
  return { name: 'own-key', judge: 'merge', ...(await tryMerge(forge, 'forge/own-key', target)) }
}

/** A real green record, copied onto the attacker's commit as it is. */
async function borrowRecord(forge: Forge): Promise<ForgeAttempt> {
  const target = await commitOn(forge, 'forge/borrow', forge.trunk, { FORGED: 'x\n' }, 'feat: borrowed green')
  await writeNote(forge.dir, target, JSON.stringify(forge.template))
  return { name: 'borrow-record', judge: 'merge', ...(await tryMerge(forge, 'forge/borrow', target)) }
}

/** The change's real (red) record, edited to say green, its signature kept. */
async function editRecord(forge: Forge): Promise<ForgeAttempt> {
  const target = await commitOn(forge, 'forge/edit', forge.trunk, { FORGED: 'x\n' }, 'feat: edited green')
  await gate(forge, 'forge/edit')
  const red = await readNote(forge.dir, target)
  if (red === undefined)
    return { name: 'edit-record', judge: 'merge', accepted: false, detail: 'no record written' }
  if (typeof red.payload === 'string') {
    const statement = JSON.parse(Buffer.from(red.payload, 'base64').toString('utf8'))
    statement.predicate.green = true
    for (const step of statement.predicate.steps) step.status = 'passed'
    red.payload = Buffer.from(JSON.stringify(statement)).toString('base64')
  } else {
    red.green = true
    for (const step of red.steps as { status: string }[]) step.status = 'passed'
  }
  await writeNote(forge.dir, target, JSON.stringify(red))
  return { name: 'edit-record', judge: 'merge', ...(await tryMerge(forge, 'forge/edit', target)) }
}

export async function verifyItem(forge: Forge, id: string): Promise<{ holds: boolean; detail: string }> {
  const file = join(forge.scratch, `postmortem-${id}.json`)
  const item = { id, title: id, owner: 'forge', dueDate: '2999-01-01', status: 'done', type: 'prevent' }
  await writeFile(file, JSON.stringify({ actionItems: [item], change: null }))
  const result = await verifyPostmortem({
    postmortemFile: file,
    repo: forge.dir,
    replay: false,
    env: forge.env,
    ...forge.trunkOption,
  })
  const verdict = result.items[0]
  return {
    holds: verdict?.holds ?? false,
    detail: verdict?.holds ? 'the item holds' : `refused: ${verdict?.reasons.map((r) => r.text).join('; ')}`,
  }
}

/** An empty commit on trunk says `Refs: AI-2`: its tree is trunk's, which went through the gate green. */
async function emptyClosingCommit(forge: Forge): Promise<ForgeAttempt> {
  const before = await git(forge.dir, ['rev-parse', forge.trunk])
  await git(forge.dir, ['checkout', '-q', '-f', forge.trunk])
  await git(forge.dir, ['commit', '-q', '--allow-empty', '-m', 'fix: nothing at all\n\nRefs: AI-2'])
  const { holds, detail } = await verifyItem(forge, 'AI-2')
  await git(forge.dir, ['reset', '-q', '--hard', before])
  return { name: 'empty-closing-commit', judge: 'verify', accepted: holds, detail }
}

/** A prevent item "closed" by a green change that adds no test and no gate step (a comment in the docs). */
async function preventWithoutTest(forge: Forge): Promise<ForgeAttempt> {
  const before = await git(forge.dir, ['rev-parse', forge.trunk])
  await commitOn(
    forge,
    'forge/docs-only',
    forge.trunk,
    { 'forge/NOTES.md': 'we will be careful\n' },
    'docs: be careful\n\nRefs: AI-3',
  )
  await gate(forge, 'forge/docs-only')
  let detail = ''
  try {
    await mergeWhenGreen({ repo: forge.dir, branch: 'forge/docs-only', env: forge.env, ...forge.trunkOption })
  } catch (err) {
    detail = `(the docs change itself was refused: ${(err as Error).message}) `
  }
  const verdict = await verifyItem(forge, 'AI-3')
  await git(forge.dir, ['checkout', '-q', '-f', forge.trunk])
  await git(forge.dir, ['reset', '-q', '--hard', before])
  return {
    name: 'prevent-without-test',
    judge: 'verify',
    accepted: verdict.holds,
    detail: detail + verdict.detail,
  }
}

/** Every known attack, in the order `runForgeAttempts` runs them. */
export const FORGE_ATTACKS: readonly ((forge: Forge) => Promise<ForgeAttempt>)[] = [
  stealKey,
  weakenGate,
  trunkFromBranch,
  ownKey,
  borrowRecord,
  editRecord,
  emptyClosingCommit,
  preventWithoutTest,
]
