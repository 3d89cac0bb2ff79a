// @ts-check
// Every process a bench or load run starts: each in its own process group, so stopping it also
// stops what it started (wrangler → workerd). All are stopped by PID on exit, on error and on a signal,
// and a whole run has a deadline: past it, everything is stopped and the run fails.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set()
/** @type {Array<() => unknown>} */
const cleanups = []

/**
 * Starts `node_modules/.bin/<bin>` in a process group of its own.
 * @param {string} bin
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string>, stdio?: import('node:child_process').StdioOptions }} [options]
 */
export function startProcess(bin, args, options = {}) {
  const child = spawn(`${root}node_modules/.bin/${bin}`, args, {
    cwd: options.cwd ?? root,
    detached: true, // its own process group: killing -pid reaches its children (workerd)
    stdio: options.stdio ?? ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PATH: `${root}node_modules/.bin:${process.env.PATH}`,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      CI: 'true', // no prompts
      ...options.env,
    },
  })
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

/** Runs a command to completion within `timeoutMs`; a non-zero exit or a timeout is an error. */
export async function runProcess(/** @type {string} */ bin, /** @type {string[]} */ args, /** @type {{ cwd?: string, timeoutMs?: number }} */ options = {}) {
  const child = startProcess(bin, args, { cwd: options.cwd })
  const timeoutMs = options.timeoutMs ?? 60_000
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      stopProcess(child)
      resolve(`timeout after ${timeoutMs / 1000} s`)
    }, timeoutMs)
    child.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  if (code !== 0) throw new Error(`${bin} ${args.slice(0, 3).join(' ')} failed (${code})`)
}

/** SIGTERM to the whole process group, SIGKILL if it is still there after 2 s. */
export function stopProcess(/** @type {import('node:child_process').ChildProcess} */ child) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const group = -child.pid
  try {
    process.kill(group, 'SIGTERM')
  } catch {}
  setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL')
    } catch {}
  }, 2_000).unref()
}

/** Something else to undo at the end (a server to close, a directory to remove). */
export function onCleanup(/** @type {() => unknown} */ fn) {
  cleanups.push(fn)
}

/** The processes first (they may still use the files and servers), then the rest, newest first. */
export async function stopAll() {
  for (const child of children) stopProcess(child)
  // Wait (bounded) for the groups to go, so a following run finds its ports free.
  const until = Date.now() + 3_000
  while (children.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    } catch {}
  }
  // Whatever a bench part started on its own (plain spawn, no group of its own): stopped by PID too.
  for (const pid of descendantsOf(process.pid)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve().then(fn).catch(() => undefined)
}

/** Every live descendant of `pid`, from /proc. */
export function descendantsOf(/** @type {number} */ pid) {
  /** @type {Map<number, number[]>} */
  const children = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  /** @type {number[]} */
  const out = []
  const walk = (/** @type {number} */ p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c)
      walk(c)
    }
  }
  walk(pid)
  return out
}

/**
 * Polls `url` until it answers 2xx, the process exits, or `timeoutMs` passes (each probe bounded too).
 * @param {string} url
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} name
 */
export async function waitHealthy(url, child, name, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  // wrangler dev stays up after a failed build (waiting for an edit): its error output fails the wait at once.
  let buildError = ''
  child.stderr?.on('data', (chunk) => {
    const text = String(chunk)
    process.stderr.write(text)
    if (/Build failed|Could not resolve|\[ERROR\]/.test(text)) buildError ||= text.replace(/\x1b\[[0-9;]*m/g, '').trim().slice(0, 600)
  })
  while (Date.now() < deadline) {
    if (buildError) throw new Error(`${name} failed to build:\n${buildError}`)
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it became healthy at ${url}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`${name} did not become healthy at ${url} within ${timeoutMs / 1000} s`)
}

/**
 * Runs `main` with everything it starts stopped afterwards, whatever happens: normal end, error,
 * Ctrl-C / SIGTERM, or the run's deadline.
 * @param {string} name
 * @param {() => Promise<void>} main
 * @param {number} deadlineMs
 */
export function runBounded(name, main, deadlineMs) {
  const fail = async (/** @type {string} */ message, code = 1) => {
    console.error(`${name} failed: ${message}`)
    await stopAll()
    process.exit(code)
  }
  const timer = setTimeout(() => void fail(`did not finish within ${deadlineMs / 1000} s`), deadlineMs)
  process.on('SIGINT', () => void fail('interrupted', 130))
  process.on('SIGTERM', () => void fail('terminated', 143))
  main().then(
    async () => {
      clearTimeout(timer)
      await stopAll()
      process.exit(0)
    },
    (e) => void fail(e instanceof Error ? e.message : String(e)),
  )
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const { createServer } = await import('node:net')
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address()
      const port = typeof address === 'object' && address ? address.port : 0
      s.close(() => resolve(port))
    })
  })
}
