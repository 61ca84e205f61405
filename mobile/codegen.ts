import { existsSync } from "node:fs"
import type { CodegenConfig } from "@graphql-codegen/cli"

// The exported server schema is the source of truth; the hand-written contract only bridges the
// time before the server lands it.
const schema = existsSync("../schema.graphql") ? "../schema.graphql" : "./graphql/contract.graphql"

const config: CodegenConfig = {
  schema,
  documents: ["app/**/*.{ts,tsx}", "!app/gql/**"],
  ignoreNoDocuments: true,
  generates: {
    "app/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { ID: "string" } },
    },
  },
}

export default config
