// Device storage in memory for every test; the real modules need a phone.
jest.mock("@react-native-async-storage/async-storage", () =>
  jest.requireActual("@react-native-async-storage/async-storage/jest/async-storage-mock"),
)

jest.mock("expo-secure-store", () => {
  const data = new Map<string, string>()
  return {
    getItemAsync: async (key: string) => data.get(key) ?? null,
    setItemAsync: async (key: string, value: string) => void data.set(key, value),
    deleteItemAsync: async (key: string) => void data.delete(key),
  }
})
