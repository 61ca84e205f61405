/** Hand a downloaded blob to the browser as a file called `name` (what an <a download> does). */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement("a")
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // The browser reads the blob after this task ends: give it time before letting it go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
