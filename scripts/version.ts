import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** firedrill's version, from its package.json (the one place it is written). */
export const FIREDRILL_VERSION: string = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version
