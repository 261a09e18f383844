/** The pager's loopback address from a target's `detection.listen` (`127.0.0.1:9095`, `localhost:9095`). */
export function pagerListen(listen: string): { host: string; port: number } {
  const [host, port] = listen.split(':') as [string, string]
  return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(port) }
}
