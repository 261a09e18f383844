import { ARTIFACT_HASH_HEADER } from '../../gate/deploy/environment.ts'

/** The content hash each api instance answers with (its `/readyz` headers); null where none answered. */
export async function servedArtifacts(urls: readonly string[]): Promise<(string | null)[]> {
  return Promise.all(
    urls.map((url) =>
      fetch(`${url}/readyz`)
        .then(async (r) => {
          await r.arrayBuffer()
          return r.headers.get(ARTIFACT_HASH_HEADER)
        })
        .catch(() => null),
    ),
  )
}
