import type { LoadedTarget } from '../../../record/target/load-target.ts'

/**
 * What an on-call engineer reaches on a team's own service to turn the change off, one line each, for the page a
 * human responder sees: the flag's source as the target file names it, and each dependency's degrade switch. The
 * drill sees the flag go off (or the switch on) however it is done; these are the ways it knows.
 */
export function targetLevers(loaded: LoadedTarget): string[] {
  return [...flagLevers(loaded), ...dependencyLevers(loaded)]
}

/**
 * Each dependency behind firedrill's fault proxy: where its health shows, and its degrade switch (the way to
 * answer without it) in the same flag source, or that the team has none.
 */
function dependencyLevers(loaded: LoadedTarget): string[] {
  const { source } = loaded.target.flags
  return (loaded.target.dependencies ?? []).flatMap((dependency) => {
    const health = `${dependency.proxy.url.replace(/\/+$/, '')}/-/health`
    const lever = dependency.degradeSwitch
    if (lever === undefined)
      return [`  ${dependency.name} (a dependency, health at ${health}) has no degrade switch.`]
    const how =
      source.kind === 'flagd'
        ? `in ${loaded.flagsFile}: set its "defaultVariant" to "on"`
        : source.kind === 'firedrill'
          ? `npx firedrill flags set ${lever} on --reason "…"`
          : source.flip
              .map((arg) =>
                arg.replaceAll('{flag}', lever).replaceAll('{variant}', 'on').replaceAll('{percent}', '100'),
              )
              .join(' ')
    return [
      `  ${dependency.name} (a dependency, health at ${health}) has a degrade switch, ${lever}: on, the service answers without it.`,
      `    ${how}`,
    ]
  })
}

function flagLevers(loaded: LoadedTarget): string[] {
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
      const off = source.flip.map((arg) =>
        arg.replaceAll('{flag}', flag).replaceAll('{variant}', 'off').replaceAll('{percent}', '0'),
      )
      return [
        intro,
        `  ${flag} is read over OFREP at ${source.url}; your team flips it with (from ${loaded.dir}):`,
        `    ${off.join(' ')}`,
      ]
    }
  }
}
