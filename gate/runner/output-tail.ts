/** Keeps the last `maxChars` characters a process wrote, and cuts them to whole trailing lines for reports. */
export class OutputTail {
  private text = ''

  constructor(private readonly maxChars = 64 * 1024) {}

  append(chunk: string): void {
    this.text += chunk
    if (this.text.length > this.maxChars * 2) this.text = this.text.slice(-this.maxChars)
  }

  /** The last `lines` lines (at most `chars` characters), without colour codes or trailing blank lines. */
  tail(lines = 40, chars = 4000): string {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour sequences
    const plain = this.text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n')
    const kept = plain.trimEnd().split('\n').slice(-lines).join('\n')
    return kept.length > chars ? `…${kept.slice(-chars)}` : kept
  }
}
