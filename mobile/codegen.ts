import { readFileSync } from "node:fs"
import type { CodegenConfig } from "@graphql-codegen/cli"

// ../schema.graphql, exported by the server, is the source of truth. Until the server exports its
// subscriptions (issue 4), the ones API.md promises are added from graphql/subscriptions.graphql.
const SERVER_SCHEMA = "../schema.graphql"
const hasSubscriptions = /^type Subscription\b/m.test(readFileSync(SERVER_SCHEMA, "utf8"))
const schema = hasSubscriptions ? [SERVER_SCHEMA] : [SERVER_SCHEMA, "./graphql/subscriptions.graphql"]

const config: CodegenConfig = {
  schema,
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
