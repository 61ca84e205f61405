import * as SecureStore from "expo-secure-store"
import { Platform } from "react-native"
import { deviceStore } from "./keyValue"

const TOKEN_KEY = "activecrowds.token"

// The keychain / keystore keeps the token out of plain app storage on phones; the browser has
// no such store, so the web build falls back to localStorage.
const useSecureStore = Platform.OS !== "web"

function load(key: string): Promise<string | null> {
  return useSecureStore ? SecureStore.getItemAsync(key) : deviceStore.getItem(key)
}

async function save(key: string, token: string): Promise<void> {
  if (useSecureStore) await SecureStore.setItemAsync(key, token)
  else await deviceStore.setItem(key, token)
}

async function clear(key: string): Promise<void> {
  if (useSecureStore) await SecureStore.deleteItemAsync(key)
  else await deviceStore.removeItem(key)
}

/** The signed-in annotator's token saved on this device, or null. */
export const loadToken = () => load(TOKEN_KEY)

/** Keep the signed-in annotator's token on this device. */
export const saveToken = (token: string) => save(TOKEN_KEY, token)

/** Forget the token (sign out). */
export const clearToken = () => clear(TOKEN_KEY)

// The secure store allows letters, digits, ".", "-" and "_" in a key.
const ownerKey = (owner: string) => `${TOKEN_KEY}.${owner.replace(/[^\w.-]/g, "_") || "device"}`

/**
 * Tokens of annotators who signed out with answers still to send, by owner: kept only until those
 * answers have gone (see Handover).
 */
export const ownerTokens = {
  load: (owner: string) => load(ownerKey(owner)),
  save: (owner: string, token: string) => save(ownerKey(owner), token),
  clear: (owner: string) => clear(ownerKey(owner)),
}
