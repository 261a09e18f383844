#!/usr/bin/env node
// The firedrill command line. Its sources are TypeScript, run through tsx's loader so `npx firedrill` works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../scripts/cli.ts')
const code = await main(process.argv.slice(2))
// A command has finished its work and closed what it opened; idle keep-alive sockets and the like must not
// hold the terminal. (stdout and stderr are synchronous on files and pipes here, so nothing is cut off.)
process.exit(code)
