// A dataset upload (POST /datasets?name=...) as the server takes it: the body as it is, its kind
// told by the Content-Type (a zip, or a CSV / JSON-lines manifest of texts), and a plain name.

/** server/datasets.py's rule for a dataset's name (services/datasets.NAME). */
export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

/** What the file picker offers: the kinds the server reads. */
export const UPLOAD_ACCEPT = ".zip,.jsonl,.ndjson,.csv,application/zip,text/csv,application/x-ndjson"

/** The Content-Type the upload is sent with, by the file's extension (anything else: a zip). */
export function uploadType(fileName: string): string {
  const ext = fileName.toLowerCase().split(".").pop() ?? ""
  if (ext === "jsonl" || ext === "ndjson") return "application/x-ndjson"
  if (ext === "csv") return "text/csv"
  return "application/zip"
}

/** A name the server takes, made from a file's: "Flood photos (2).zip" -> "flood-photos-2". */
export function nameFromFile(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, "")
  const name = base
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|-+$/g, "")
    .slice(0, 100)
  return name || "dataset"
}

/** Why a name will be refused, before asking the server; null: fine. */
export function nameProblem(name: string): string | null {
  if (!name.trim()) return "Name the dataset."
  if (!DATASET_NAME.test(name)) return "Use 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit."
  return null
}

/** The create form's category for a dataset's kind. */
export function categoryOf(kind: string): "IMAGE" | "TEXT" {
  return kind === "text" ? "TEXT" : "IMAGE"
}
