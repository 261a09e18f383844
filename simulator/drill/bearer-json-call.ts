/**
 * One call to a drill's token-guarded control API (the deploys API and the queue control beside it): JSON in and
 * out, the bearer token sent. A refused connection or a non-2xx answer becomes the error `fail` makes, with the
 * status (null when nothing answered) and the API's own message when it gave one.
 */
export async function bearerJsonCall(
  options: { baseUrl: string; token: string; fail(status: number | null, message: string): Error },
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${options.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((err: unknown) => {
    throw options.fail(null, (err as Error).message)
  })
  const answer = (await response.json().catch(() => ({}))) as { message?: string }
  if (!response.ok) throw options.fail(response.status, answer.message ?? `${method} ${path}`)
  return answer
}
