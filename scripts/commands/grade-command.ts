import { stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { gradeCapstone } from '../../capstone/grade/grade-capstone.ts'
import { describeGrade } from '../../capstone/grade/report/describe-grade.ts'
import { gradeClassroom } from '../../capstone/grade/report/grade-classroom.ts'
import { gradeJunitXml } from '../../capstone/grade/report/grade-junit.ts'
import { gradeMarkdown } from '../../capstone/grade/report/grade-markdown.ts'
import { loadRubric, RUBRIC_FILE } from '../../capstone/rubric.ts'
import { writeFileAtomically } from '../../services/platform/write-file-atomically.ts'
import type { Command } from '../command.ts'
import { gradeDefinition } from '../definitions/grade-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

/** `--rubric FILE`, else the repository's own `capstone-rubric.yaml` when there is one, else the defaults. */
async function rubricOption(given: string | undefined, repo: string) {
  const file = given ?? join(resolve(repo), RUBRIC_FILE)
  if (given === undefined && (await stat(file).catch(() => null)) === null) return {}
  return { rubric: await loadRubric(file), rubricSource: file }
}

export const gradeCommand: Command = {
  name: 'grade',
  async run(argv) {
    const { values } = parseCommandArgs(argv, gradeDefinition)
    const report = await gradeCapstone({
      repo: values.repo,
      ...(values.runs === undefined ? {} : { runsDir: values.runs }),
      ...(await rubricOption(values.rubric, values.repo)),
      demo: !(values['no-demo'] ?? false),
      progress: (line) => process.stderr.write(`${line}\n`),
    })
    if (values.junit !== undefined) await writeFileAtomically(values.junit, gradeJunitXml(report))
    if (values.markdown !== undefined) await writeFileAtomically(values.markdown, gradeMarkdown(report))
    if (values.classroom !== undefined)
      await writeFileAtomically(values.classroom, `${JSON.stringify(gradeClassroom(report), null, 2)}\n`)
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : `${describeGrade(report).join('\n')}\n`,
    )
    return report.passed ? 0 : 1
  },
}
