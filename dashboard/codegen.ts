import type { CodegenConfig } from "@graphql-codegen/cli"

// ../schema.graphql is exported by the server; a document that drifts from it fails here.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: true,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { ID: "string", DateTime: "string" } },
    },
  },
}

export default config
