/** Waits for a condition by polling it: tests wait for what they assert on, never for a fixed time. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return
    await Bun.sleep(20)
  }
  throw new Error(`condition not met within ${timeoutMs} ms`)
}
