// typescript-eslint, the rules of hooks, Prettier, and the direction of imports in src/ as rules:
// components know nothing of GraphQL or pages; the API layer knows nothing of the UI.
import js from "@eslint/js"
import { defineConfig } from "eslint/config"
import prettier from "eslint-config-prettier/flat"
import importPlugin from "eslint-plugin-import"
import reactHooks from "eslint-plugin-react-hooks"
import globals from "globals"
import tseslint from "typescript-eslint"

const layers = [
  {
    target: "./src/components",
    from: ["./src/api", "./src/pages", "./src/gql", "./src/session"],
    message: "Components know nothing of GraphQL, the session or pages; pages pass them what they need.",
  },
  {
    target: ["./src/api", "./src/domain", "./src/session"],
    from: ["./src/components", "./src/pages"],
    message: "The API, the session and the domain helpers know nothing of the UI.",
  },
  {
    target: "./src/domain",
    from: ["./src/api", "./src/gql"],
    message: "Domain helpers are plain functions over plain data.",
  },
]

export default defineConfig([
  { ignores: ["dist/", "dist-app/", "src/gql/", "e2e/screenshots/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks, "import": importPlugin },
    languageOptions: { globals: globals.browser },
    settings: {
      "import/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".js"] } },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      "import/no-cycle": ["error", { ignoreExternal: true, disableScc: true }],
    },
  },
  {
    files: ["src/**"],
    ignores: ["**/*.test.ts?(x)", "src/test/**"],
    rules: { "import/no-restricted-paths": ["error", { zones: layers }] },
  },
  { files: ["e2e/**", "*.config.*", "scripts/**"], languageOptions: { globals: globals.node } },
  prettier,
])
