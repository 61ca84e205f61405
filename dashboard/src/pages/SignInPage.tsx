import { useCallback, useEffect, useState, type FormEvent } from "react"
import { sameOriginEndpoints } from "../api/endpoints"
import { verifyAdminToken, type Verdict } from "../api/verify"
import { Button } from "../components/Button"
import { TextField } from "../components/fields"
import { useSession } from "../session/SessionContext"

type Props = { verify?: (token: string) => Promise<Verdict> }

const defaultVerify = (token: string) => verifyAdminToken(token, sameOriginEndpoints().http)

/** The admin token, pasted or brought by the start banner's link (then checked at once). */
export function SignInPage({ verify = defaultVerify }: Props) {
  const { offered, notice, signIn } = useSession()
  const [token, setToken] = useState(offered ?? "")
  const [error, setError] = useState<string | null>(null)
  const [checking, setChecking] = useState(false)

  const check = useCallback(
    async (candidate: string) => {
      const trimmed = candidate.trim()
      if (!trimmed) {
        setError("Paste the admin token first.")
        return
      }
      setChecking(true)
      setError(null)
      const verdict = await verify(trimmed)
      setChecking(false)
      if (verdict.ok) signIn(trimmed)
      else setError(verdict.message)
    },
    [verify, signIn],
  )

  useEffect(() => {
    if (!offered) return
    setToken(offered)
    void check(offered)
  }, [offered, check])

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    void check(token)
  }

  return (
    <div className="signin">
      <main className="card" id="main">
        <h1>ActiveCrowds console</h1>
        <p className="muted">
          Sign in with the admin token. <code>activecrowds serve</code> prints it at start, with a link that signs you
          in directly.
        </p>
        {notice ? (
          <div className="alert" data-tone="info" role="status">
            {notice}
          </div>
        ) : null}
        <form onSubmit={onSubmit} noValidate>
          <TextField
            name="token"
            label="Admin token"
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={setToken}
            error={error ?? undefined}
          />
          <Button variant="primary" type="submit" disabled={checking}>
            {checking ? "Checking…" : "Sign in"}
          </Button>
        </form>
      </main>
    </div>
  )
}
