import { useState } from "react"
import {
  useDatasetPreviews,
  useDatasets,
  useUploadDataset,
  type Dataset,
  type DatasetPreview,
  type UploadState,
} from "../../api/datasets"
import { Button } from "../../components/Button"
import { FileField, SelectField, TextField, type Option } from "../../components/fields"
import { Failed } from "../../components/States"
import { nameFromFile, nameProblem, UPLOAD_ACCEPT } from "../../domain/datasets"
import { formatBytes, formatCount, formatPercent } from "../../domain/format"
import { useSession } from "../../session/SessionContext"

const CHOOSE = ""

type Shown = Pick<Dataset, "name" | "kind" | "labels" | "labelled" | "pool" | "size"> &
  Partial<Pick<Dataset, "labelCounts">>

/** The labels in order, each with its labelled examples where the server said how many. */
function labelsWithCounts(d: Shown): string {
  const counts = new Map((d.labelCounts ?? []).map((c) => [c.label, c.count]))
  return d.labels.map((l) => (counts.has(l) ? `${l} (${formatCount(counts.get(l) ?? 0)})` : l)).join(", ")
}

function describe(d: Pick<Dataset, "kind" | "labels" | "labelled" | "pool">): string {
  return `${d.kind}, ${d.labels.length} labels, ${formatCount(d.labelled)} labelled, ${formatCount(d.pool)} in the pool`
}

/** A dataset's kind, labels and counts: what a task made on it starts from. */
function Summary({ dataset }: { dataset: Shown }) {
  return (
    <dl className="dataset-summary" data-testid="dataset-summary" aria-label={`Summary of ${dataset.name}`}>
      <div>
        <dt>Kind</dt>
        <dd>{dataset.kind === "text" ? "Texts" : "Images"}</dd>
      </div>
      <div>
        <dt>Labelled</dt>
        <dd data-testid="dataset-labelled">{formatCount(dataset.labelled)}</dd>
      </div>
      <div>
        <dt>Pool</dt>
        <dd data-testid="dataset-pool">{formatCount(dataset.pool)}</dd>
      </div>
      <div>
        <dt>Size</dt>
        <dd>{formatBytes(dataset.size)}</dd>
      </div>
      <div className="wide">
        <dt>Labels, in order (labelled examples)</dt>
        <dd data-testid="dataset-labels">{labelsWithCounts(dataset)}</dd>
      </div>
    </dl>
  )
}

function PreviewTile({ preview, index }: { preview: DatasetPreview; index: number }) {
  const label = preview.label ?? "unlabelled"
  return (
    <li className="dataset-preview" data-testid="dataset-preview" data-label={preview.label ?? ""}>
      {preview.mediaUrl ? (
        <img src={preview.mediaUrl} alt={`Sample ${index + 1}, ${label}`} width={96} height={96} loading="lazy" />
      ) : (
        <p className="preview-text">{preview.text}</p>
      )}
      <span className={preview.label ? "preview-label" : "preview-label muted"}>{label}</span>
    </li>
  )
}

/** A few of the dataset's samples with their labels (the pool's unlabelled), read for `name`. */
function Previews({ name }: { name: string }) {
  const { previews, problem, refetch } = useDatasetPreviews(name)
  return (
    <section className="dataset-previews" aria-label={`Samples of ${name}`} aria-busy={!previews && !problem}>
      <h3>Samples</h3>
      {problem ? (
        <Failed message={problem} onRetry={refetch} />
      ) : !previews ? (
        <ul className="preview-grid" aria-hidden="true">
          {Array.from({ length: 4 }, (_, i) => (
            <li key={i} className="dataset-preview skeleton" />
          ))}
        </ul>
      ) : previews.length === 0 ? (
        <p className="muted" data-testid="dataset-previews-empty">
          No samples to show.
        </p>
      ) : (
        <ul className="preview-grid" data-testid="dataset-previews">
          {previews.map((p, i) => (
            <PreviewTile key={`${i}:${p.mediaUrl ?? p.text}`} preview={p} index={i} />
          ))}
        </ul>
      )}
    </section>
  )
}

function progressWords(state: UploadState, file: File | null): string {
  switch (state.status) {
    case "idle":
      return file
        ? `${file.name}, ${formatBytes(file.size)}`
        : "A zip of images (one folder per label, or a manifest), or a JSONL or CSV of texts."
    case "sending":
      return `Sending: ${formatBytes(state.sent)} of ${formatBytes(state.total)} (${formatPercent(state.total ? state.sent / state.total : 0)})`
    case "importing":
      return "Sent. The server is unpacking and checking every file…"
    case "done": {
      const d = state.dataset
      const skipped = d.bad.length ? `; ${formatCount(d.bad.length)} skipped (below)` : ""
      return `Uploaded ${d.name}: ${describe(d)}${skipped}. It is chosen above.`
    }
    case "failed":
      return state.message
  }
}

/**
 * Where a task's data come from: a dataset the server has (with its labels and counts), or one
 * uploaded here (POST /datasets, with a progress bar). Picking one fills the form's dataset,
 * category and labels.
 */
export function DatasetSection({
  value,
  onPick,
}: {
  value: string
  onPick: (dataset: Pick<Dataset, "name" | "kind" | "labels">) => void
}) {
  const { token } = useSession()
  const { datasets, problem, refetch } = useDatasets()
  const { state, upload, cancel } = useUploadDataset(token)
  const [file, setFile] = useState<File | null>(null)
  const [name, setName] = useState("")
  const [nameError, setNameError] = useState<string | null>(null)
  // The file input keeps its choice on screen: a new key empties it once the file is uploaded.
  const [picker, setPicker] = useState(0)
  // The one just uploaded is shown at once, before the list read again has it.
  const uploaded = state.status === "done" && state.dataset.name === value ? state.dataset : null
  const chosen: Shown | null = datasets?.find((d) => d.name === value) ?? uploaded
  const busy = state.status === "sending" || state.status === "importing"

  const options: Option[] = [
    { value: CHOOSE, label: datasets ? (datasets.length ? "Choose one…" : "None yet: upload one") : "Loading…" },
    ...(datasets ?? []).map((d) => ({ value: d.name, label: `${d.name} (${describe(d)})` })),
  ]
  const onChoose = (picked: string) => {
    const d = datasets?.find((x) => x.name === picked)
    if (d) onPick(d)
  }
  const onFile = (f: File | null) => {
    setFile(f)
    if (f && !name) setName(nameFromFile(f.name))
  }
  const onUpload = async () => {
    if (!file) return setNameError(null)
    const taken = datasets?.some((d) => d.name === name)
    const wrong = nameProblem(name) ?? (taken ? `A dataset named ${name} exists already; choose another name.` : null)
    setNameError(wrong)
    if (wrong) return
    const made = await upload(name, file)
    if (!made) return
    onPick(made)
    refetch()
    setFile(null)
    setName("")
    setPicker((n) => n + 1)
  }
  const failed = state.status === "failed" ? state : null

  return (
    <fieldset className="datasets">
      <legend>Data</legend>
      <div className="dataset-pick">
        <SelectField
          name="pickDataset"
          label="On this server"
          hint="Picking one fills in the dataset, the category and the labels below."
          value={datasets?.some((d) => d.name === value) ? value : CHOOSE}
          onChange={onChoose}
          options={options}
          error={problem ?? undefined}
        />
        {chosen ? (
          <div className="dataset-chosen">
            <Summary dataset={chosen} />
            <Previews key={chosen.name} name={chosen.name} />
          </div>
        ) : (
          <p className="muted dataset-summary-empty">
            {value ? `${value} is not one of the server's datasets: the server looks for it as a path.` : null}
          </p>
        )}
      </div>
      <div className="dataset-upload" aria-busy={busy || undefined}>
        <FileField
          key={picker}
          name="uploadFile"
          label="Upload a new one"
          accept={UPLOAD_ACCEPT}
          onChange={onFile}
          disabled={busy}
        />
        <TextField
          name="uploadName"
          label="Its name"
          value={name}
          onChange={(v) => {
            setName(v)
            setNameError(null)
          }}
          placeholder="e.g. flood-photos"
          error={nameError ?? (failed?.field === "name" ? failed.message : undefined)}
        />
        <div className="upload-actions">
          <Button onClick={() => void onUpload()} disabled={!file || busy} data-testid="upload-dataset">
            {busy ? "Uploading…" : "Upload"}
          </Button>
          {busy ? (
            <Button variant="ghost" onClick={cancel}>
              Cancel
            </Button>
          ) : null}
        </div>
        <div className="download-status">
          <progress
            aria-label="Upload progress"
            max={state.status === "sending" ? state.total || 1 : 1}
            value={state.status === "sending" ? state.sent : state.status === "importing" ? undefined : 0}
            hidden={!busy}
          />
          <p
            className="status-line"
            role="status"
            data-testid="upload-status"
            data-tone={failed && failed.field !== "name" ? "danger" : undefined}
          >
            {failed?.field === "name" ? "" : progressWords(state, file)}
          </p>
        </div>
        {(state.status === "done" ? state.dataset.bad : (failed?.bad ?? [])).length ? (
          <details className="bad-files" data-testid="upload-bad">
            <summary>Files the server skipped, and why</summary>
            <ul>
              {(state.status === "done" ? state.dataset.bad : (failed?.bad ?? [])).map((b) => (
                <li key={`${b.file}:${b.reason}`}>
                  <code>{b.file}</code>: {b.reason}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
      </div>
    </fieldset>
  )
}
