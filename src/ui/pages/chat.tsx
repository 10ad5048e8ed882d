// A placeholder until the chat page lands (issue #17, another helper's part).
export function ChatPage() {
  return (
    <section>
      <h1>Chat</h1>
      <p>Coming with the chat work.</p>
    </section>
  )
}
