/** A test file, which the replay leaves as trunk has it: `*.test.*`, `*.spec.*`, or under `test/`/`__tests__/`. */
export function isTestFile(path: string): boolean {
  const parts = path.split('/')
  const name = parts.at(-1) ?? ''
  if (parts.slice(0, -1).some((p) => p === 'test' || p === '__tests__')) return true
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(name)
}
