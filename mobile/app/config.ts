import { Platform } from "react-native"

/** The server address offered on the sign-in screen: the build's setting, else the page's own origin. */
export function defaultServerUrl(): string {
  const configured = process.env.EXPO_PUBLIC_GRAPHQL_URL
  if (configured) return configured.replace(/\/graphql\/?$/, "")
  if (Platform.OS === "web" && typeof window !== "undefined" && window.location?.origin?.startsWith("http")) {
    return window.location.origin
  }
  return ""
}
