// Ignite's lint set (typescript-eslint, React, React Native, Prettier) plus the rules of hooks, and
// the direction of imports in app/ (README, Layout) as rules, so no import cycle comes back.
import js from "@eslint/js"
import { defineConfig } from "eslint/config"
import prettier from "eslint-config-prettier/flat"
import importPlugin from "eslint-plugin-import"
import react from "eslint-plugin-react"
import reactHooks from "eslint-plugin-react-hooks"
import reactNative from "eslint-plugin-react-native"
import globals from "globals"
import tseslint from "typescript-eslint"

const layers = [
  {
    target: "./app/i18n",
    from: ["./app/components", "./app/navigation", "./app/screens", "./app/services", "./app/theme", "./app/utils"],
    message: "The translation layer is a leaf: every layer may use it, it uses none of them.",
  },
  {
    target: "./app/services/api",
    from: ["./app/services/queue", "./app/services/session"],
    message: "The API client is the bottom layer: the queue and the session build on it, not the other way.",
  },
  {
    target: "./app/services",
    from: ["./app/components", "./app/navigation", "./app/screens"],
    message: "Services know nothing of the UI.",
  },
  {
    target: ["./app/components", "./app/utils", "./app/theme"],
    from: ["./app/navigation", "./app/screens"],
    message: "Components know nothing of screens or navigation; screens pass them what they need.",
  },
  {
    // Type-only imports included: import/no-cycle does not see a cycle made of them.
    target: "./app/screens/!(index).ts?(x)",
    from: "./app/screens/*Screen.tsx",
    message: "A screen's parts (panels, hooks) must not import a screen: the screen imports them.",
  },
]

export default defineConfig([
  { ignores: ["dist/", "app/gql/", ".expo/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  react.configs.flat.recommended,
  react.configs.flat["jsx-runtime"],
  {
    plugins: { "react-hooks": reactHooks, "react-native": reactNative, "import": importPlugin },
    languageOptions: { globals: { ...globals.browser, __DEV__: "readonly" } },
    settings: {
      "react": { version: "detect" },
      "import/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".js"] } },
    },
    rules: {
      // All of them, no-raw-text included: text outside <Text> works on the web build the tests
      // drive, but crashes on a phone.
      ...reactNative.configs.all.rules,
      // Leaving a key out with a rest pattern is how the app drops one immutably.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
      // Apostrophes and quotes are ordinary prose in React Native text.
      "react/no-unescaped-entities": ["error", { forbid: [">", "}"] }],
      // The React Compiler's rules in react-hooks' recommended set would compile every component on
      // each run (a third of lint's time); the app does not use the compiler.
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // No dependency imports the app, so there is no cycle to find in node_modules; the SCC pass
      // would walk it anyway (graphql, urql...) and double lint's time.
      "import/no-cycle": ["error", { ignoreExternal: true, disableScc: true }],
    },
  },
  {
    files: ["app/**"],
    ignores: ["**/*.test.ts?(x)", "app/test/**"],
    rules: { "import/no-restricted-paths": ["error", { zones: layers }] },
  },
  { files: ["e2e/**", "*.config.*"], languageOptions: { globals: globals.node } },
  prettier,
])
