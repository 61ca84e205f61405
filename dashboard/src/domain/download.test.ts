import { dispositionName, exportFileName, exportPath, modelFileName, slug } from "./download"

describe("a downloaded model's file name", () => {
  it("starts with the task's title as a slug", () => {
    expect(slug("Long sleeves?")).toBe("long-sleeves")
    expect(slug("Crème brûlée — photos")).toBe("creme-brulee-photos")
    expect(slug("???")).toBe("task")
  })

  it("reads the server's name from Content-Disposition", () => {
    expect(dispositionName('attachment; filename="task-7-round-1-model.onnx"')).toBe("task-7-round-1-model.onnx")
    expect(dispositionName("attachment; filename*=utf-8''task-7-round-1-weights.pt")).toBe("task-7-round-1-weights.pt")
    expect(dispositionName(null)).toBeNull()
  })

  it("puts the title before the server's name, or names the round and format itself", () => {
    const header = 'attachment; filename="task-7-round-1-model.onnx"'
    expect(modelFileName("Long sleeves?", 1, "ONNX", header)).toBe("long-sleeves-task-7-round-1-model.onnx")
    expect(modelFileName("Long sleeves?", 2, "TORCHSCRIPT", null)).toBe("long-sleeves-round-2-torchscript")
  })
})

describe("a task's export", () => {
  it("is fetched from the export route by the format's extension", () => {
    expect(exportPath("7", "jsonl")).toBe("/export/7.jsonl")
    expect(exportPath("7", "zip")).toBe("/export/7.zip")
  })

  it("is saved under the task's title and the server's name, or a name of its own", () => {
    const header = 'attachment; filename="task-7-labels.csv"'
    expect(exportFileName("Long sleeves?", "7", "csv", header)).toBe("long-sleeves-task-7-labels.csv")
    expect(exportFileName("Long sleeves?", "7", "zip", null)).toBe("long-sleeves-task-7-labels.zip")
    expect(exportFileName("Long sleeves?", "7", "csv", 'attachment; filename="../x.csv"')).toBe("long-sleeves-.._x.csv")
  })
})
