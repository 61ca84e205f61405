// The name a downloaded model file is saved under: the task's title, then the server's name for
// the file (task, round and file), so a downloads folder tells one task's models from another's.

/** "Long sleeves?" -> "long-sleeves"; nothing usable: "task". */
export function slug(title: string): string {
  const words = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
  return words.slice(0, 60).replace(/-+$/, "") || "task"
}

/** The file name in a Content-Disposition header (RFC 6266: filename* first, then filename). */
export function dispositionName(header: string | null): string | null {
  if (!header) return null
  const extended = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(header)
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim())
    } catch {
      // a malformed escape: fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header)
  const name = plain?.[2] ?? plain?.[1]
  return name ? name.trim() : null
}

/** "long-sleeves-task-7-round-1-model.onnx"; the server named no file: "long-sleeves-round-1-onnx". */
export function modelFileName(title: string, round: number, format: string, header: string | null): string {
  const given = dispositionName(header)?.replace(/[/\\]/g, "_")
  return `${slug(title)}-${given || `round-${round}-${format.toLowerCase()}`}`
}

/**
 * The formats `GET /export/{taskId}.{ext}` streams (server/exports.py; the route names a format by
 * its extension), in the order an owner wants them, with what each holds.
 */
export const EXPORT_FORMATS = [
  { ext: "jsonl", label: "JSONL", holds: "One record per sample: split, decided label, every answer, prediction." },
  { ext: "csv", label: "CSV", holds: "The same, one row per sample (its answers as one JSON column)." },
  { ext: "zip", label: "Images (zip)", holds: "The images, one folder per decided label, and unlabelled/." },
] as const

export type ExportExt = (typeof EXPORT_FORMATS)[number]["ext"]

/** Where a task's export in `ext` is fetched from (same origin, with the admin's bearer token). */
export function exportPath(taskId: string, ext: ExportExt): string {
  return `/export/${encodeURIComponent(taskId)}.${ext}`
}

/** "long-sleeves-task-7-labels.jsonl": the title, then the server's name (or the same name made here). */
export function exportFileName(title: string, taskId: string, ext: ExportExt, header: string | null): string {
  const given = dispositionName(header)?.replace(/[/\\]/g, "_")
  return `${slug(title)}-${given || `task-${taskId}-labels.${ext}`}`
}
