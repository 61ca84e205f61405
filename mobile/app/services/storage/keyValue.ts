import AsyncStorage from "@react-native-async-storage/async-storage"

/** The slice of AsyncStorage the app uses; tests pass an in-memory one. */
export interface KeyValueStore {
  getItem(key: string): Promise<string | null>
  setItem(key: string, value: string): Promise<void>
  removeItem(key: string): Promise<void>
  getAllKeys(): Promise<readonly string[]>
}

/** Device storage that survives closing the app (AsyncStorage; localStorage on the web). */
export const deviceStore: KeyValueStore = AsyncStorage

/** Read a JSON value, or null when missing or unreadable (a corrupt entry must not lock the app). */
export async function loadJson<T>(store: KeyValueStore, key: string): Promise<T | null> {
  const raw = await store.getItem(key)
  if (raw === null) return null
  try {
    return JSON.parse(raw) as T
  } catch {
    return null
  }
}

/** Write a JSON value. */
export async function saveJson(store: KeyValueStore, key: string, value: unknown): Promise<void> {
  await store.setItem(key, JSON.stringify(value))
}

/** A store in memory, for tests and previews. */
export function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial))
  return {
    data,
    getItem: async (key) => data.get(key) ?? null,
    setItem: async (key, value) => void data.set(key, value),
    removeItem: async (key) => void data.delete(key),
    getAllKeys: async () => [...data.keys()],
  }
}
