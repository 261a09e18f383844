import { readFile } from 'node:fs/promises'
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { VerifyPostmortemInvalidError, VerifyPostmortemUnreadableError } from '../gate-errors.ts'

/**
 * The part of postmortem.json verify needs, read loosely: other fields (and fields added later) are left
 * alone, so verify does not break when the postmortem model grows.
 */
export const VerifiablePostmortemSchema = Type.Object({
  actionItems: Type.Array(
    Type.Object({
      id: Type.String({ pattern: '^AI-\\d+$' }),
      title: Type.Optional(Type.String()),
      owner: Type.Optional(Type.String()),
      dueDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
      status: Type.Optional(Type.String()),
      type: Type.Optional(Type.String()),
    }),
  ),
  /** The bad change; `commit` is its own commit. Absent or null when the drill did not record one. */
  change: Type.Optional(
    Type.Union([
      Type.Object({
        commit: Type.Optional(Type.String({ pattern: '^[0-9a-f]{4,64}$' })),
        trunk: Type.Optional(Type.String({ minLength: 1 })),
        branch: Type.Optional(Type.String()),
      }),
      Type.Null(),
    ]),
  ),
})

export type VerifiablePostmortem = Static<typeof VerifiablePostmortemSchema>

/** Reads and checks postmortem.json; an unreadable or unfit file is an input error (exit 2) naming the fields. */
export async function readVerifiablePostmortem(file: string): Promise<VerifiablePostmortem> {
  let data: unknown
  try {
    data = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new VerifyPostmortemUnreadableError(file, err)
  }
  if (!Value.Check(VerifiablePostmortemSchema, data)) {
    const problems = [...Value.Errors(VerifiablePostmortemSchema, data)].map(
      (e) => `${e.path === '' ? '(root)' : e.path} ${e.message}`,
    )
    throw new VerifyPostmortemInvalidError(file, problems)
  }
  return data
}
