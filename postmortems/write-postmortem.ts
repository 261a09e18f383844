import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { writeFileAtomically } from '../services/platform/write-file-atomically.ts'
import { PostmortemInvalidError, PostmortemWriteFailedError } from './errors.ts'
import { type Postmortem, PostmortemSchema } from './postmortem-schema.ts'
import { renderPostmortemMarkdown } from './render-postmortem-markdown.ts'

export interface WrittenPostmortem {
  markdown: string
  json: string
}

/**
 * Writes `postmortem.json` and `postmortem.md` into `dir`, each atomically (a temporary name, then a
 * rename), so a reader never sees half a file. The model is checked against its schema first.
 */
export async function writePostmortem(dir: string, model: Postmortem): Promise<WrittenPostmortem> {
  const firstError = Value.Errors(PostmortemSchema, model).First()
  if (firstError !== undefined)
    throw new PostmortemInvalidError(`${firstError.path || '(root)'} ${firstError.message}`)
  const files = {
    json: join(dir, 'postmortem.json'),
    markdown: join(dir, 'postmortem.md'),
  }
  try {
    await mkdir(dir, { recursive: true })
    await writeFileAtomically(files.json, `${JSON.stringify(model, null, 2)}\n`)
    await writeFileAtomically(files.markdown, renderPostmortemMarkdown(model))
  } catch (err) {
    throw new PostmortemWriteFailedError(dir, err)
  }
  return files
}
