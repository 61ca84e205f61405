import { StrictMode } from "react"
import { createRoot } from "react-dom/client"
import { App } from "./App"
import { localTokenStore, takeFragmentToken, watchFragmentToken } from "./session/token"
import "./styles.css"

const root = document.getElementById("root")
if (!root) throw new Error("index.html has no #root")
createRoot(root).render(
  <StrictMode>
    <App store={localTokenStore()} offered={takeFragmentToken()} watchOffers={watchFragmentToken} />
  </StrictMode>,
)
