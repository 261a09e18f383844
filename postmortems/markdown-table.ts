/** Escapes text for a Markdown table cell. */
const cell = (text: string | number): string => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ')

/** A Markdown table: a header row, the separator, then one row per entry. */
export function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n')
}

/** A Markdown bullet list, or one bullet saying `empty` when there is nothing to list. */
export const list = (items: readonly string[], empty: string): string =>
  items.length === 0 ? `- ${empty}` : items.map((i) => `- ${i}`).join('\n')
