/**
 * How the linear-time tests measure growth: a function is fed 100 KB and 1 MB of the same input in
 * one run, and the ratio of its times is the figure (linear code shows ~10, quadratic ~100). A ratio,
 * never a wall-clock threshold: the machine may be slow or busy, the shape of the curve may not change.
 */
export const SMALL = 100_000
export const LARGE = 1_000_000
/**
 * Below this per 100 KB a function is a memory sweep (`includes`, `indexOf`), and a 100 KB input
 * sits in the CPU's cache where 1 MB does not: such timings say nothing about the algorithm.
 */
const FLOOR_MS = 0.25

/** `unit` repeated to exactly `length` characters. */
export const fill = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)

/**
 * Time per call: calls repeat until at least 15 ms have passed (the runtime's clock may tick in
 * whole milliseconds), and the faster of two such measurements is kept (noise only ever adds time).
 */
function perCall(f: () => unknown): number {
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < 2; round++) {
    let calls = 0
    const t0 = performance.now()
    let elapsed = 0
    while (elapsed < 15) {
      f()
      calls++
      elapsed = performance.now() - t0
    }
    best = Math.min(best, elapsed / calls)
  }
  return best
}

/** Time of `f` on `make(LARGE)` over its time on `make(SMALL)`, after a warm-up call. */
export function growthRatio(f: (text: string) => unknown, make: (length: number) => string): { ratio: number; small: number; large: number } {
  const small = make(SMALL)
  const large = make(LARGE)
  f(small) // warm up
  const t1 = perCall(() => f(small))
  const t2 = perCall(() => f(large))
  return { ratio: t2 / Math.max(t1, FLOOR_MS), small: t1, large: t2 }
}
