#!/usr/bin/env node
// The firedrill command line. Its sources are TypeScript, run through tsx's loader so `npx firedrill` works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../scripts/cli.ts')
process.exitCode = await main(process.argv.slice(2))
