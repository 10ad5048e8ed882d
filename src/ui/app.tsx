// The app's frame: sign-in (when the instance asks for a key), the header with its navigation and the
// live connection's state, then the page of the current route.
import { signal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { type Gate, signIn, signOut } from './access'
import { connection, startLive, stopLive } from './live'
import { ChatPage } from './pages/chat'
import { KeysPage } from './pages/keys'
import { RegisterPage } from './pages/register'
import { ServerPage } from './pages/server'
import { ServersPage } from './pages/servers'
import { ToolsetsPage } from './pages/toolsets'
import { type Route, route } from './router'
import { apiKey, authRequired, canWrite, role } from './session'

const gate = signal<Gate>('checking')
const signInError = signal<string | null>(null)

async function enter(key: string | null) {
  const result = await signIn(key)
  signInError.value = result.error
  gate.value = result.gate
  if (result.gate === 'ready') startLive()
}

function leave() {
  stopLive()
  const result = signOut()
  signInError.value = result.error
  gate.value = result.gate
}

export function App() {
  useEffect(() => {
    enter(apiKey.peek()).catch((e: unknown) => {
      signInError.value = `The API cannot be reached: ${String(e)}`
      gate.value = 'signin'
    })
  }, [])
  if (gate.value === 'checking') return <p class="page">Loading…</p>
  if (gate.value === 'signin') return <SignIn />
  return (
    <>
      <Header />
      <main class="page">
        <Page route={route.value} />
      </main>
    </>
  )
}

function SignIn() {
  const onSubmit = (e: Event) => {
    e.preventDefault()
    const key = new FormData(e.currentTarget as HTMLFormElement).get('key')
    if (typeof key === 'string' && key.trim()) void enter(key.trim())
  }
  return (
    <main class="signin">
      <h1>AutoMCP</h1>
      <form onSubmit={onSubmit}>
        <label for="api-key">API key</label>
        <input id="api-key" name="key" type="password" autocomplete="off" required autofocus />
        <button type="submit">Sign in</button>
        {signInError.value && (
          <p class="error" role="alert">
            {signInError.value}
          </p>
        )}
      </form>
    </main>
  )
}

const links: { page: Route['page']; label: string; admin?: boolean }[] = [
  { page: 'servers', label: 'Servers' },
  { page: 'register', label: 'Register', admin: true },
  { page: 'chat', label: 'Chat' },
  { page: 'toolsets', label: 'Toolsets' },
  { page: 'keys', label: 'Keys' },
]

function Header() {
  const current = route.value.page === 'server' ? 'servers' : route.value.page
  const state = connection.value
  return (
    <header class="top">
      <a class="brand" href="#/servers">
        AutoMCP
      </a>
      <nav>
        {links
          .filter((l) => !l.admin || canWrite.value)
          .map((l) => (
            <a key={l.page} href={`#/${l.page}`} aria-current={current === l.page ? 'page' : undefined}>
              {l.label}
            </a>
          ))}
      </nav>
      <span class={`conn conn-${state}`} role="status" title="The live event stream">
        {state}
      </span>
      {authRequired.value && (
        <>
          <span class="role">{role.value} key</span>
          <button type="button" class="quiet" onClick={leave}>
            Sign out
          </button>
        </>
      )}
    </header>
  )
}

function Page({ route: r }: { route: Route }) {
  switch (r.page) {
    case 'server':
      return <ServerPage id={r.id} />
    case 'register':
      return <RegisterPage />
    case 'chat':
      return <ChatPage />
    case 'toolsets':
      return <ToolsetsPage />
    case 'keys':
      return <KeysPage />
    default:
      return <ServersPage />
  }
}
