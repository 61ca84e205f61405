import { useDownload, type DownloadState } from "../../api/download"
import type { TaskDetail } from "../../api/hooks"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { EXPORT_FORMATS, exportFileName, exportPath, type ExportExt } from "../../domain/download"
import { asSentence, formatBytes, formatCount } from "../../domain/format"
import { saveFile } from "./saveFile"

const LABEL = Object.fromEntries(EXPORT_FORMATS.map((f) => [f.ext, f.label])) as Record<ExportExt, string>

function describe(state: DownloadState, labelled: number): string {
  if (state.status === "idle")
    return `Every sample with its split, decided label and every answer (${formatCount(labelled)} labelled so far).`
  const what = `the ${LABEL[state.key as ExportExt]} export`
  if (state.status === "saved") return `Saved ${what} as ${state.name}.`
  if (state.status === "failed") {
    return `Could not download ${what}. ${asSentence(state.message)}`
  }
  // Streamed as it is read from the database: the server cannot tell the size beforehand.
  const { received } = state.progress
  return received === 0 ? `Asking for ${what}…` : `Downloading ${what}: ${formatBytes(received)} so far`
}

/**
 * The task's labels out (`GET /export/{id}.{jsonl|csv|zip}`): fetched with the admin's token,
 * which a plain link cannot send, its bytes counted as they come, saved under the task's title.
 */
export function ExportPanel({ task }: { task: TaskDetail }) {
  const { state, start } = useDownload()
  // The image folder is for image tasks only (the server refuses it for a text task).
  const formats = EXPORT_FORMATS.filter((f) => f.ext !== "zip" || task.category === "IMAGE")
  const busy = state.status === "busy"
  const onExport = (ext: ExportExt) =>
    void start(ext, exportPath(task.id, ext), (got) => {
      const name = exportFileName(task.title, task.id, ext, got.disposition)
      saveFile(got.blob, name)
      return name
    })
  return (
    <Card title="Export" headingId="export-heading" aside="The task's labels and answers, as files">
      <ul className="export-formats" aria-label="Export the task's labels">
        {formats.map((f) => (
          <li key={f.ext}>
            <Button
              disabled={busy}
              aria-busy={(busy && state.key === f.ext) || undefined}
              aria-describedby={`export-holds-${f.ext}`}
              data-testid={`export-${f.ext}`}
              onClick={() => onExport(f.ext)}
            >
              {f.label}
            </Button>
            <span className="muted" id={`export-holds-${f.ext}`}>
              {f.holds}
            </span>
          </li>
        ))}
      </ul>
      <div className="download-status">
        {/* No size comes ahead of a streamed export: an indeterminate bar while it runs. */}
        <progress aria-label="Export progress" hidden={!busy} />
        <p
          className="status-line"
          role="status"
          data-tone={state.status === "failed" ? "danger" : undefined}
          data-testid="export-status"
        >
          {describe(state, task.labelledCount)}
        </p>
      </div>
    </Card>
  )
}
