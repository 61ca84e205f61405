import type { CodegenConfig } from "@graphql-codegen/cli"

// ../schema.graphql is exported by the server; a document that drifts from it fails here.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["app/**/*.{ts,tsx}", "!app/gql/**"],
  ignoreNoDocuments: true,
  generates: {
    "app/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { ID: "string", DateTime: "string" } },
    },
  },
}

export default config
