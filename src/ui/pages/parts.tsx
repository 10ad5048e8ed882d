// Small pieces the chat, toolsets and keys pages share: an error line, a copy button, a confirmation
// dialog and a date.
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ApiError } from '../api'

/** An API error as a sentence with its code, announced to screen readers. */
export function ErrorNote({ error }: { error: ApiError | { code: string; detail: string } | null }) {
  if (!error) return null
  return (
    <p class="pg-error" role="alert">
      <span class="pg-code">{error.code}</span> {error.detail}
    </p>
  )
}

/** Copies `text` to the clipboard and says so. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null)
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => setDone('copied'),
      () => setDone('failed'),
    )
  return (
    <button type="button" class="pg-secondary" onClick={copy}>
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Select and copy' : label}
    </button>
  )
}

/**
 * A modal question with a confirming button (named `confirm`) and "Keep": shown while `open`. A native
 * <dialog>, so focus, Escape and the accessibility tree are the browser's.
 */
export function Confirm(props: {
  open: boolean
  title: string
  children?: ComponentChildren
  confirm: string
  onConfirm: () => void
  onClose: () => void
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (props.open && !dialog.open) dialog.showModal()
    if (!props.open && dialog.open) dialog.close()
  }, [props.open])
  return (
    <dialog ref={ref} class="pg-dialog" aria-label={props.title} onClose={props.onClose}>
      <h3>{props.title}</h3>
      {props.children}
      <div class="pg-actions">
        <button type="button" class="pg-danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
        <button type="button" class="pg-secondary" onClick={props.onClose}>
          Keep
        </button>
      </div>
    </dialog>
  )
}

/** Epoch seconds as a local date and time; `never` for null. */
export const when = (seconds: number | null, never = 'never') =>
  seconds === null ? never : new Date(seconds * 1000).toLocaleString()

/** A comma-separated field as a list; empty means null ("everything"). */
export const listOf = (text: string): string[] | null => {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return items.length > 0 ? items : null
}
