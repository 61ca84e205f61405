import { useEffect, useState } from "react"
import { ActivityIndicator, Image, ScrollView, StyleSheet, Text, View } from "react-native"
import { colors, spacing } from "../theme"

type Sample = { id: string; mediaUrl?: string | null; text?: string | null }

/** A sample as large as the screen allows: the image (with a spinner until it arrives) or the text. */
export function SampleView({ sample }: { sample: Sample }) {
  const [loaded, setLoaded] = useState(false)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    setLoaded(false)
    setFailed(false)
  }, [sample.id])

  if (sample.mediaUrl) {
    return (
      <View style={styles.imageBox} testID="sample-image">
        <Image
          // mediaUrl may be signed: use it exactly as given.
          source={{ uri: sample.mediaUrl }}
          style={styles.image}
          resizeMode="contain"
          progressiveRenderingEnabled
          fadeDuration={150}
          onLoad={() => setLoaded(true)}
          onError={() => setFailed(true)}
          accessibilityLabel="Sample image"
        />
        {!loaded && !failed ? <ActivityIndicator style={StyleSheet.absoluteFill} size="large" color="#fff" /> : null}
        {failed ? <Text style={styles.failed}>The image could not be loaded. Answer later or go back.</Text> : null}
      </View>
    )
  }
  return (
    <ScrollView style={styles.textBox} contentContainerStyle={styles.textContent} testID="sample-text">
      <Text style={styles.text}>{sample.text ?? ""}</Text>
    </ScrollView>
  )
}

/** Start downloading the images the user will see next, so they appear at once. */
export function prefetchImages(urls: (string | null | undefined)[]): void {
  // Promise.resolve: some platforms (and test doubles) return nothing instead of a promise.
  for (const url of urls) if (url) Promise.resolve(Image.prefetch(url)).catch(() => undefined)
}

const styles = StyleSheet.create({
  imageBox: { flex: 1, backgroundColor: colors.black, borderRadius: 16, overflow: "hidden", justifyContent: "center" },
  image: { width: "100%", height: "100%" },
  failed: { position: "absolute", alignSelf: "center", color: "#fff", fontSize: 16, padding: spacing.lg, textAlign: "center" },
  textBox: { flex: 1, backgroundColor: colors.surface, borderRadius: 16, borderWidth: 1, borderColor: colors.border },
  textContent: { padding: spacing.lg, justifyContent: "center", flexGrow: 1 },
  text: { fontSize: 24, lineHeight: 34, color: colors.text },
})
