import { useEffect, useRef, useState } from "react"
import { ActivityIndicator, Animated, Image, ScrollView, StyleSheet, Text, View } from "react-native"
import { colors, spacing } from "../theme"
import { previewUrl } from "../utils/mediaPreview"

type Sample = { id: string; mediaUrl?: string | null; text?: string | null }

const FADE_MS = 250

/**
 * A sample as large as the screen allows: the image or the text. Images load progressively: a tiny
 * preview (a few kB, scaled up and blurred) at once, the full image fading in over it when it arrives.
 */
export function SampleView({ sample }: { sample: Sample }) {
  if (sample.mediaUrl) return <ProgressiveImage key={sample.id} url={sample.mediaUrl} />
  return (
    <ScrollView style={styles.textBox} contentContainerStyle={styles.textContent} testID="sample-text">
      <Text style={styles.text}>{sample.text ?? ""}</Text>
    </ScrollView>
  )
}

/** Keyed by sample: a new sample starts again from its own preview. */
function ProgressiveImage({ url }: { url: string }) {
  const [previewShown, setPreviewShown] = useState(false)
  const [loaded, setLoaded] = useState(false)
  const [faded, setFaded] = useState(false)
  const [failed, setFailed] = useState(false)
  const opacity = useRef(new Animated.Value(0)).current

  useEffect(() => {
    if (!loaded) return
    const fade = Animated.timing(opacity, { toValue: 1, duration: FADE_MS, useNativeDriver: false })
    // The preview goes once the full image covers it (it would show around a letterboxed image).
    fade.start(() => setFaded(true))
    return () => fade.stop()
  }, [loaded, opacity])

  return (
    <View style={styles.imageBox} testID="sample-image">
      {!faded ? (
        <Image
          source={{ uri: previewUrl(url) }}
          style={styles.image}
          resizeMode="contain"
          blurRadius={6}
          fadeDuration={0}
          onLoad={() => setPreviewShown(true)}
          testID="sample-preview"
          accessibilityElementsHidden
        />
      ) : null}
      <Animated.View style={[StyleSheet.absoluteFill, { opacity }]} testID="sample-full">
        <Image
          // mediaUrl may be signed: use it exactly as given.
          source={{ uri: url }}
          style={styles.image}
          resizeMode="contain"
          progressiveRenderingEnabled
          fadeDuration={0}
          onLoad={() => setLoaded(true)}
          onError={() => setFailed(true)}
          accessibilityLabel="Sample image"
          testID="sample-full-image"
        />
      </Animated.View>
      {!loaded && !failed && !previewShown ? (
        <ActivityIndicator style={StyleSheet.absoluteFill} size="large" color={colors.white} />
      ) : null}
      {!loaded && !failed && previewShown ? (
        <ActivityIndicator style={styles.corner} size="small" color={colors.white} testID="sample-loading" />
      ) : null}
      {failed ? <Text style={styles.failed}>The image could not be loaded. Answer later or go back.</Text> : null}
    </View>
  )
}

/**
 * Start downloading the images the user will see next, so they appear at once: the tiny previews of
 * all of them first (on a slow network they are what the user sees soonest), then the full images.
 */
export function prefetchImages(urls: (string | null | undefined)[]): Promise<void> {
  const present = urls.filter((u): u is string => !!u)
  // Promise.resolve: some platforms (and test doubles) return nothing instead of a promise.
  const fetch = (url: string) => Promise.resolve(Image.prefetch(url)).catch(() => undefined)
  return Promise.all(present.map((u) => fetch(previewUrl(u)))).then(async () => {
    await Promise.all(present.map(fetch))
  })
}

const styles = StyleSheet.create({
  corner: { position: "absolute", right: spacing.md, top: spacing.md },
  failed: {
    alignSelf: "center",
    color: colors.white,
    fontSize: 16,
    padding: spacing.lg,
    position: "absolute",
    textAlign: "center",
  },
  image: { height: "100%", width: "100%" },
  imageBox: { backgroundColor: colors.black, borderRadius: 16, flex: 1, justifyContent: "center", overflow: "hidden" },
  text: { color: colors.text, fontSize: 24, lineHeight: 34 },
  textBox: { backgroundColor: colors.surface, borderColor: colors.border, borderRadius: 16, borderWidth: 1, flex: 1 },
  textContent: { flexGrow: 1, justifyContent: "center", padding: spacing.lg },
})
