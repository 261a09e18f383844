import { copyFile, mkdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { build } from 'esbuild'
import { SHOP_PROCESS_BUNDLE, SHOP_PROCESS_ENTRY } from '../../services/shop/process/start-shop-process.ts'

/** The top-level directory a build writes into an artifact; a commit may not track it. */
export const BUILD_DIR = '.build'

/**
 * Files the bundled code reads beside its own module (`new URL('./x', import.meta.url)`), copied next to the
 * bundle from where the sources keep them.
 */
const BUNDLE_ASSETS = [join('services', 'flags', 'flags.json')]

/**
 * CommonJS dependencies inside an ES module bundle still call `require` for node's own modules, and read
 * `__filename` and `__dirname`.
 */
const BANNER = [
  "import { createRequire as __firedrillRequire } from 'node:module'",
  "import { fileURLToPath as __firedrillPath } from 'node:url'",
  'const require = __firedrillRequire(import.meta.url)',
  'const __filename = __firedrillPath(import.meta.url)',
  "const __dirname = __firedrillPath(new URL('.', import.meta.url))",
].join('\n')

/**
 * Bundles the shop's process entry point under `root` (an artifact being built, its `node_modules` linked) into
 * `SHOP_PROCESS_BUNDLE`: the code and every dependency in one ES module, so each process the artifact runs
 * starts without compiling TypeScript or resolving hundreds of files. The output depends only on the sources
 * and the dependencies, not on where `root` is, so one commit always builds to one content hash. Resolves false
 * (and writes nothing) when `root` has no shop entry point.
 */
export async function bundleShop(root: string, exists: (path: string) => Promise<boolean>): Promise<boolean> {
  if (!(await exists(join(root, SHOP_PROCESS_ENTRY)))) return false
  await build({
    absWorkingDir: root,
    entryPoints: [SHOP_PROCESS_ENTRY],
    outfile: SHOP_PROCESS_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    // Paths in the bundle's comments stay `node_modules/…`, wherever the link points.
    preserveSymlinks: true,
    // Class and function names survive (errors are told apart by them).
    keepNames: true,
    legalComments: 'none',
    banner: { js: BANNER },
    logLevel: 'silent',
  })
  for (const asset of BUNDLE_ASSETS) {
    if (!(await exists(join(root, asset)))) continue
    const to = join(root, dirname(SHOP_PROCESS_BUNDLE), basename(asset))
    await mkdir(dirname(to), { recursive: true })
    await copyFile(join(root, asset), to)
  }
  return true
}
