import { lstatSync, readlinkSync } from 'node:fs'

/** System files a step's tools may need (name lookups, certificates, time zones); each only if present. */
const ETC_FILES = [
  '/etc/hosts',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/alternatives',
  '/etc/ssl/certs',
  '/etc/ca-certificates',
]

/** `/bin`, `/lib`… as the host has them: a symlink into /usr (merged /usr), or a directory bound read-only. */
function rootDirArgs(): string[] {
  const args: string[] = []
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64']) {
    try {
      if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir)
      else args.push('--ro-bind', dir, dir)
    } catch {
      // not on this machine
    }
  }
  return args
}

/**
 * What every sandboxed step gets: new user (no capabilities), pid, network (loopback only), ipc, uts and cgroup
 * namespaces; no environment; /usr and the few system files above read-only; its own /proc, /dev and an empty
 * /tmp. Nothing of the user's home, the repository or the gate's own files.
 */
export function baseSandboxArgs(): string[] {
  return [
    '--unshare-all',
    '--unshare-user',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--ro-bind',
    '/usr',
    '/usr',
    ...rootDirArgs(),
    ...ETC_FILES.flatMap((file) => ['--ro-bind-try', file, file]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
  ]
}

export interface StepSandboxMounts {
  /** The step's own copy of the commit: the only writable place besides /tmp, and the working directory. */
  stepDir: string
  /** Host directories the step may read (node_modules, a node outside /usr). */
  readOnly: readonly string[]
}

/** The bubblewrap arguments for one step, up to `--`; `env` is all the environment the step gets. */
export function bubblewrapArgs(mounts: StepSandboxMounts, env: Readonly<Record<string, string>>): string[] {
  return [
    ...baseSandboxArgs(),
    '--dir',
    '/tmp/home',
    ...mounts.readOnly.flatMap((dir) => ['--ro-bind', dir, dir]),
    '--bind',
    mounts.stepDir,
    mounts.stepDir,
    '--chdir',
    mounts.stepDir,
    ...Object.entries(env).flatMap(([key, value]) => ['--setenv', key, value]),
  ]
}
