/** A closed terminal or a reader gone must not turn an orderly stop into a crash. */
export function ignoreBrokenOutput(): void {
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})
}
