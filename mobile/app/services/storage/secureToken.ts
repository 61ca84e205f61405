import * as SecureStore from "expo-secure-store"
import { Platform } from "react-native"
import { deviceStore } from "./keyValue"

const TOKEN_KEY = "activecrowds.token"

// The keychain / keystore keeps the token out of plain app storage on phones; the browser has
// no such store, so the web build falls back to localStorage.
const useSecureStore = Platform.OS !== "web"

/** The annotator token saved on this device, or null. */
export async function loadToken(): Promise<string | null> {
  return useSecureStore ? SecureStore.getItemAsync(TOKEN_KEY) : deviceStore.getItem(TOKEN_KEY)
}

/** Keep the annotator token on this device. */
export async function saveToken(token: string): Promise<void> {
  if (useSecureStore) await SecureStore.setItemAsync(TOKEN_KEY, token)
  else await deviceStore.setItem(TOKEN_KEY, token)
}

/** Forget the token (sign out). */
export async function clearToken(): Promise<void> {
  if (useSecureStore) await SecureStore.deleteItemAsync(TOKEN_KEY)
  else await deviceStore.removeItem(TOKEN_KEY)
}
