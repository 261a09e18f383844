/** A postmortem's lessons: what went well, what went wrong, where the team got lucky. One sentence each. */
export interface Lessons {
  wentWell: string[]
  wentWrong: string[]
  gotLucky: string[]
}
