import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { readTestReport } from './command-steps.ts'

let dir: string | undefined
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

it("reads a test step's report, and nothing that is not a regular file of its own", async () => {
  dir = await mkdtemp(join(tmpdir(), 'firedrill-report-'))
  const file = join(dir, 'report.xml')
  expect(await readTestReport(file)).toBeUndefined()
  await writeFile(
    file,
    '<testsuites><testsuite><testcase classname="a" name="b" time="0"/></testsuite></testsuites>',
  )
  expect(await readTestReport(file)).toEqual([{ classname: 'a', name: 'b', timeMs: 0, status: 'passed' }])

  // Code under test may leave a FIFO there (reading it would hold the gate open) or a link out of its copy.
  const fifo = join(dir, 'fifo.xml')
  execFileSync('mkfifo', [fifo])
  expect(await readTestReport(fifo)).toBeUndefined()
  const link = join(dir, 'link.xml')
  await symlink(file, link)
  expect(await readTestReport(link)).toBeUndefined()
  await writeFile(file, 'not xml')
  expect(await readTestReport(file)).toBeUndefined()
})
