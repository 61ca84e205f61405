/** Spacing scale in density-independent pixels. */
export const spacing = { xxs: 2, xs: 4, sm: 8, md: 16, lg: 24, xl: 32, xxl: 48 } as const

/** Smallest comfortable touch target (Material and Apple guidelines ask for 44-48). */
export const touchTarget = 56

/** Content never grows wider than a large phone, so the web build reads like the app. */
export const maxContentWidth = 560
