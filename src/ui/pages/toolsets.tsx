// A placeholder until the toolsets page lands (issue #17, another helper's part).
export function ToolsetsPage() {
  return (
    <section>
      <h1>Toolsets</h1>
      <p>Coming with the toolsets work.</p>
    </section>
  )
}
