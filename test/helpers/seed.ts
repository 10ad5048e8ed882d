/** The seed of a randomized test: `variable` from the environment replays a run, else a fresh one. */
export function seedFrom(variable: string): number {
  const given = process.env[variable]
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31)
}

/** A small seeded generator (mulberry32) in [0, 1): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
