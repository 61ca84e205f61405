// The server names a bad input field in `extensions.field`; the ML core spells it in snake_case
// (min_agreement), the rest of the server as the API does (batchSize). The console's forms use the
// API's names, so both spellings land on the same field.

/** "min_agreement" -> "minAgreement"; camelCase stays as it is. */
export function apiFieldName(field: string): string {
  return field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())
}

/**
 * The message without its leading field name, for showing next to that field:
 * "min_agreement must be in (0.5, 1]; got 0.3" -> "Must be in (0.5, 1]; got 0.3".
 */
export function messageForField(field: string, message: string): string {
  for (const name of new Set([field, apiFieldName(field)])) {
    if (message.startsWith(`${name} `)) {
      const rest = message.slice(name.length + 1)
      return rest.charAt(0).toUpperCase() + rest.slice(1)
    }
  }
  return message
}
