// @ts-check
// A CPU profile's samples charged to the source files of the worker's bundle: esbuild marks where each
// file starts (`// ../worker/src/stream/relay.ts`), so a sample's stack can be named by file, and the
// runtime's natives (`read`, `write`, `fetch`) by the nearest JS file that called them.

/** @typedef {{ id: number, callFrame: { functionName: string, url: string, scriptId: string, lineNumber: number }, children?: number[] }} ProfileNode */
/** @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[] }} Profile */

const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

/** The file each line of the bundle comes from (1-based line numbers; node_modules by package). */
export function filesByLine(/** @type {string} */ bundle) {
  /** @type {string[]} */
  const files = []
  let current = '(bundle)'
  bundle.split('\n').forEach((line, i) => {
    const start = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(line)
    if (start?.[1]) current = start[1].replace(/^(\.\.\/)+/, '').replace(/^.*?(worker\/src\/)/, '$1').replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')
    files[i + 1] = current
  })
  return files
}

/**
 * Time per file, two ways: `self` charges each sample to the file on top of its stack (a native to
 * the nearest JS file under it, `native<-file`), `total` to every file on its stack once. In µs.
 */
export function timeByFile(/** @type {Profile} */ profile, /** @type {string} */ scriptId, /** @type {string[]} */ files) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  /** @type {Map<number, number>} */
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const fileOf = (/** @type {ProfileNode | undefined} */ n) => (n && n.callFrame.scriptId === scriptId ? files[n.callFrame.lineNumber + 1] : undefined)
  /** @type {Map<string, number>} */
  const self = new Map()
  /** @type {Map<string, number>} */
  const total = new Map()
  let all = 0
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    all += us
    const name = byId.get(id)?.callFrame.functionName ?? ''
    /** @type {Set<string>} */
    const stack = new Set()
    let caller
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parent.get(at)) {
      const file = fileOf(byId.get(at))
      if (file) (caller ??= file, stack.add(file))
    }
    const key = PSEUDO.has(name) ? name : fileOf(byId.get(id)) ?? `native<-${caller ?? '(no JS caller)'}`
    self.set(key, (self.get(key) ?? 0) + us)
    for (const file of stack) total.set(file, (total.get(file) ?? 0) + us)
  })
  return { self, total, all }
}
