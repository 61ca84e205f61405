import { useId, useRef, useState } from "react"
import { Button } from "./Button"

type Props = { label: string; value: string; testId?: string; monospace?: boolean; autoFocus?: boolean }

/**
 * A value to copy: read-only text anyone can select, and a Copy button. Where the browser gives
 * no clipboard (a page over plain HTTP from another host), the text is selected instead, so
 * Ctrl+C copies it.
 */
export function CopyField({ label, value, testId, monospace = false, autoFocus = false }: Props) {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const [said, setSaid] = useState("")
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setSaid("Copied.")
    } catch {
      input.current?.select()
      setSaid("Selected: press Ctrl+C (⌘C on a Mac) to copy.")
    }
  }
  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={input}
          readOnly
          value={value}
          data-testid={testId}
          autoFocus={autoFocus}
          className={monospace ? "mono" : undefined}
          onFocus={(e) => e.target.select()}
        />
        <Button onClick={copy}>
          Copy<span className="visually-hidden"> {label.toLowerCase()}</span>
        </Button>
      </div>
      <div className="hint" role="status">
        {said}
      </div>
    </div>
  )
}
