// A placeholder until the keys page lands (issue #17, another helper's part).
export function KeysPage() {
  return (
    <section>
      <h1>Keys</h1>
      <p>Coming with the keys work.</p>
    </section>
  )
}
