import type { LoadedTarget } from '../../../record/target/load-target.ts'

/**
 * What an on-call engineer reaches on a team's own service to turn the change off, one line each, for the page a
 * human responder sees: the flag's source as the target file names it. The drill sees the flag go off however it
 * is done; these are the ways it knows.
 */
export function targetLevers(loaded: LoadedTarget): string[] {
  const { flag, source } = loaded.target.flags
  const intro = `  You are on call for ${loaded.target.name}. Find the cause and mitigate with your team's own tools.`
  switch (source.kind) {
    case 'firedrill':
      return [
        intro,
        `  ${flag} is in the flag service at ${source.url}. From another terminal:`,
        `    export FIREDRILL_FLAGS_URL=${source.url} FIREDRILL_FLAGS_TOKEN="$${source.tokenEnv}"`,
        '    npx firedrill flags list                     # what is on, and who changed it',
        '    npx firedrill flags set KEY off --reason "…"  # the kill switch',
      ]
    case 'flagd':
      return [
        intro,
        `  ${flag} is in the flagd flags file ${loaded.flagsFile}, which the service watches:`,
        '    set its "defaultVariant" to "off" and remove its "targeting" (the kill switch), or flip it as your team does.',
      ]
    case 'ofrep': {
      const off = source.flip.map((arg) => arg.replaceAll('{flag}', flag).replaceAll('{variant}', 'off'))
      return [
        intro,
        `  ${flag} is read over OFREP at ${source.url}; your team flips it with (from ${loaded.dir}):`,
        `    ${off.join(' ')}`,
      ]
    }
  }
}
