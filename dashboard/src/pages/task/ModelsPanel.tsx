import { useDownload, type DownloadState } from "../../api/download"
import type { TaskDetail } from "../../api/hooks"
import { Button } from "../../components/Button"
import { Card } from "../../components/Card"
import { modelFileName } from "../../domain/download"
import { formatBytes, formatCount, formatDateTime, formatPercent } from "../../domain/format"
import { byRound } from "../../domain/metrics"
import { ModelFormatValues } from "../../gql/schema-facts"
import { saveFile } from "./saveFile"

type Round = TaskDetail["rounds"][number]
type Model = NonNullable<Round["model"]>

type ModelFormat = (typeof ModelFormatValues)[number]

// Every format the schema has (tsc checks none is missing), its words and the alias its URL comes
// under in RoundModelFields; offered in the order an owner wants them.
const LOOK: Record<
  ModelFormat,
  { field: keyof Model & ("onnx" | "torchscript" | "weights" | "metadata"); label: string }
> = {
  ONNX: { field: "onnx", label: "ONNX" },
  TORCHSCRIPT: { field: "torchscript", label: "TorchScript" },
  WEIGHTS: { field: "weights", label: "Weights" },
  METADATA: { field: "metadata", label: "Metadata" },
}
const FORMATS = (Object.keys(LOOK) as ModelFormat[]).map((format) => ({ format, ...LOOK[format] }))
const LABEL = (format: ModelFormat) => LOOK[format].label

const keyOf = (round: number, format: ModelFormat) => `${round}:${format}`

function describe(state: DownloadState): string {
  if (state.status === "idle")
    return "Fetched with the admin token; an ONNX or TorchScript export is made on its first download."
  const [round, format] = state.key.split(":") as [string, ModelFormat]
  const what = `round ${round}'s ${LABEL(format)} file`
  if (state.status === "saved") return `Saved ${what} as ${state.name}.`
  if (state.status === "failed") {
    // The server's own messages start in lower case ("this model has no onnx export: ...").
    const sentence = state.message.charAt(0).toUpperCase() + state.message.slice(1)
    return `Could not download ${what}. ${sentence}`
  }
  const { received, total } = state.progress
  if (received === 0) {
    return format === "ONNX" || format === "TORCHSCRIPT"
      ? `Preparing ${what}: the first download of an export takes a few seconds…`
      : `Asking for ${what}…`
  }
  return total
    ? `Downloading ${what}: ${formatBytes(received)} of ${formatBytes(total)} (${formatPercent(received / total)})`
    : `Downloading ${what}: ${formatBytes(received)}`
}

function Downloads({
  task,
  round,
  model,
  state,
  onDownload,
}: {
  task: TaskDetail
  round: Round
  model: Model
  state: DownloadState
  onDownload: (key: string, url: string, name: (header: string | null) => string) => void
}) {
  const busy = state.status === "busy"
  return (
    <div className="downloads" role="group" aria-label={`Download round ${round.number}'s model`}>
      {FORMATS.map(({ format, field, label }) => {
        const key = keyOf(round.number, format)
        const mine = busy && state.key === key
        return (
          <Button
            key={format}
            disabled={busy}
            aria-busy={mine || undefined}
            data-testid={`download-${round.number}-${format}`}
            aria-label={`${label}, round ${round.number}`}
            onClick={() =>
              onDownload(key, model[field], (header) => modelFileName(task.title, round.number, format, header))
            }
          >
            {label}
          </Button>
        )
      })}
    </div>
  )
}

/** Each round's model with its size, and its files to download (fetched with the admin's token). */
export function ModelsPanel({ task }: { task: TaskDetail }) {
  const { state, start } = useDownload()
  const rounds = byRound(task.rounds).reverse()
  const onDownload = (key: string, url: string, name: (header: string | null) => string) =>
    void start(key, url, (got) => {
      const saved = name(got.disposition)
      saveFile(got.blob, saved)
      return saved
    })
  const progress = state.status === "busy" ? state.progress : null
  return (
    <Card title="Models" headingId="models-heading" aside="ONNX and TorchScript take pixels and give probabilities">
      {rounds.length === 0 ? (
        <div className="batch-waiting" data-testid="models-empty">
          <p>Round 0&apos;s model can be downloaded once it has trained.</p>
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="plain models" data-testid="models">
              <thead>
                <tr>
                  <th scope="col">Round</th>
                  <th scope="col">Labelled</th>
                  <th scope="col">Accuracy</th>
                  <th scope="col">Size</th>
                  <th scope="col">Download</th>
                </tr>
              </thead>
              <tbody>
                {rounds.map((r) => (
                  <tr key={r.number} data-testid={`model-round-${r.number}`}>
                    <th scope="row">{r.number}</th>
                    <td>{formatCount(r.trainSize)}</td>
                    <td>{formatPercent(r.accuracy)}</td>
                    <td title={r.model ? `Stored ${formatDateTime(r.model.createdAt)}` : undefined}>
                      {r.model ? formatBytes(r.model.size) : "—"}
                    </td>
                    <td>
                      {r.model ? (
                        <Downloads task={task} round={r} model={r.model} state={state} onDownload={onDownload} />
                      ) : (
                        <span className="muted">Not kept (a task keeps its newest models and its best)</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="download-status">
            <progress
              max={progress?.total ?? 1}
              value={progress ? (progress.total ? progress.received : undefined) : 0}
              aria-label="Download progress"
              hidden={!progress}
            />
            <p
              className="status-line"
              role="status"
              data-tone={state.status === "failed" ? "danger" : undefined}
              data-testid="download-status"
            >
              {describe(state)}
            </p>
          </div>
        </>
      )}
    </Card>
  )
}
