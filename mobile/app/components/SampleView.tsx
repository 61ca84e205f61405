import { useEffect, useRef, useState } from "react"
import {
  ActivityIndicator,
  Animated,
  Image,
  Platform,
  Pressable,
  ScrollView,
  StyleSheet,
  View,
  type ImageLoadEvent,
} from "react-native"
import { spacing, themed, useColors } from "../theme"
import { PREVIEW_WIDTH, previewUrl } from "../utils/mediaPreview"
import { useReducedMotion } from "../utils/useReducedMotion"
import { t } from "../i18n"
import { Text } from "./Text"

type Sample = { id: string; mediaUrl?: string | null; text?: string | null }

type Props = {
  sample: Sample
  /** Called once the sample is on screen in full: its image loaded (not just the preview), or its text. */
  onShown?: (sampleId: string) => void
  /** Changes when the connection comes back: an image that failed tries again. */
  retrySignal?: number
  /** Width in px to ask the server for (displayed width times pixel density); the original if absent. */
  requestWidth?: number
  /** What a screen reader says for the image. */
  description?: string
  /** A tap on a loaded image (opens it full screen); none for text. */
  onOpen?: () => void
}

const FADE_MS = 250
// An image that arrives this soon came from a cache: show it at once, a fade would only delay it.
const CACHED_MS = 50

// Images this app has seen load (shown, or prefetched): they show at once, without preview or fade.
const loaded = new Set<string>()

/** The URL the full image of `url` is asked for at `width`. */
export function fullImageUrl(url: string, width?: number): string {
  // mediaUrl may be signed: previewUrl keeps its query exactly and only sets w.
  return width ? previewUrl(url, width) : url
}

/**
 * A sample as large as the screen allows: the image or the text. An image not seen before loads
 * progressively: a tiny preview (a few kB, scaled up and blurred) at once, the full image fading in
 * over it. One that fails says so and tries again on a tap or when the connection comes back.
 */
export function SampleView({ sample, onShown, retrySignal = 0, requestWidth, description, onOpen }: Props) {
  const styles = useStyles()
  const shownRef = useRef(onShown)
  shownRef.current = onShown
  const isText = !sample.mediaUrl
  useEffect(() => {
    if (isText) shownRef.current?.(sample.id)
  }, [isText, sample.id])

  if (sample.mediaUrl) {
    return (
      <RetryingImage
        key={sample.id}
        url={fullImageUrl(sample.mediaUrl, requestWidth)}
        previewUri={previewUrl(sample.mediaUrl)}
        onShown={() => shownRef.current?.(sample.id)}
        retrySignal={retrySignal}
        description={description ?? t("image.sample")}
        onOpen={onOpen}
      />
    )
  }
  return (
    <ScrollView style={styles.textBox} contentContainerStyle={styles.textContent} testID="sample-text">
      <Text style={styles.text}>{sample.text ?? ""}</Text>
    </ScrollView>
  )
}

type ImageProps = {
  url: string
  previewUri: string
  onShown: () => void
  retrySignal: number
  description: string
  onOpen?: () => void
}

/** Keyed by sample; each attempt is a fresh image, so a failed one is requested again. */
function RetryingImage({ retrySignal, onOpen, ...props }: ImageProps) {
  const styles = useStyles()
  const [attempt, setAttempt] = useState(0)
  const [failed, setFailed] = useState(false)
  const retry = () => {
    setFailed(false)
    setAttempt((a) => a + 1)
  }
  const failedRef = useRef(failed)
  failedRef.current = failed
  useEffect(() => {
    if (retrySignal > 0 && failedRef.current) retry()
  }, [retrySignal])
  return (
    <View style={styles.imageBox} testID="sample-image">
      {/* Not a screen reader's stop: the screen's Zoom button says the same. */}
      <Pressable
        style={StyleSheet.absoluteFill}
        onPress={onOpen}
        disabled={!onOpen}
        accessible={false}
        testID="sample-open"
      >
        <ProgressiveImage key={attempt} {...props} onError={() => setFailed(true)} />
      </Pressable>
      {failed ? (
        <Pressable
          style={[StyleSheet.absoluteFill, styles.failedBox]}
          onPress={retry}
          accessibilityRole="button"
          accessibilityLabel={t("image.retry")}
          testID="image-retry"
        >
          <Text style={styles.failedTitle}>{t("image.failed")}</Text>
          <Text style={styles.failedHint}>{t("image.failedHint")}</Text>
        </Pressable>
      ) : null}
    </View>
  )
}

function ProgressiveImage({
  url,
  previewUri,
  onShown,
  onError,
  description,
}: Omit<ImageProps, "retrySignal"> & {
  onError: () => void
}) {
  const styles = useStyles()
  const colors = useColors()
  const reducedMotion = useReducedMotion()
  const [known] = useState(() => loaded.has(url))
  const [previewShown, setPreviewShown] = useState(false)
  const [done, setDone] = useState(false)
  const [small, setSmall] = useState(false)
  const [faded, setFaded] = useState(known)
  const [failed, setFailed] = useState(false)
  const opacity = useRef(new Animated.Value(known ? 1 : 0)).current
  const mountedAt = useRef(Date.now()).current

  const onLoad = (event: ImageLoadEvent) => {
    loaded.add(url)
    const instant = known || reducedMotion || Date.now() - mountedAt < CACHED_MS
    if (instant) setFaded(true)
    setDone(true)
    onShown()
    const width = naturalWidth(event)
    if (width !== undefined) setSmall(width < PREVIEW_WIDTH)
    // A browser's load event does not say the size: ask (the image is in its cache by now).
    else if (Platform.OS === "web") Image.getSize(url, (w) => live.current && setSmall(w < PREVIEW_WIDTH))
  }
  const live = useRef(true)
  useEffect(
    () => () => {
      live.current = false
    },
    [],
  )

  useEffect(() => {
    if (!done || faded) return
    const fade = Animated.timing(opacity, { toValue: 1, duration: FADE_MS, useNativeDriver: false })
    // The preview goes once the full image covers it (it would show around a letterboxed image).
    fade.start(() => setFaded(true))
    return () => fade.stop()
  }, [done, faded, opacity])

  const loading = !done && !failed
  return (
    <>
      {!faded ? (
        <Image
          source={{ uri: previewUri }}
          style={styles.image}
          resizeMode="contain"
          blurRadius={6}
          fadeDuration={0}
          onLoad={() => setPreviewShown(true)}
          testID="sample-preview"
          accessibilityElementsHidden
        />
      ) : null}
      {/* Once faded in (or shown at once) the layer is plainly opaque, whatever the animation did. */}
      <Animated.View style={[StyleSheet.absoluteFill, faded ? styles.opaque : { opacity }]} testID="sample-full">
        <Image
          source={{ uri: url }}
          style={[styles.image, small && pixelated()]}
          resizeMode="contain"
          progressiveRenderingEnabled
          fadeDuration={0}
          onLoad={onLoad}
          onError={() => {
            setFailed(true)
            onError()
          }}
          accessibilityLabel={description}
          aria-busy={loading}
          testID="sample-full-image"
        />
      </Animated.View>
      {loading ? (
        <ActivityIndicator
          style={previewShown ? styles.corner : StyleSheet.absoluteFill}
          size={previewShown ? "small" : "large"}
          color={colors.white}
          testID="sample-loading"
        />
      ) : null}
    </>
  )
}

// A photo smaller than the preview (a 28 px scan) is shown as its pixels, not smeared; browsers
// only (phones' image views have no such switch).
const pixelated = () => (Platform.OS === "web" ? ({ imageRendering: "pixelated" } as object) : null)

/** The loaded image's own width where the event tells it (phones: its source), else undefined. */
function naturalWidth(event: ImageLoadEvent): number | undefined {
  const native = event?.nativeEvent as { source?: { width?: number }; target?: { naturalWidth?: number } } | undefined
  return native?.source?.width ?? (native?.target?.naturalWidth || undefined)
}

/**
 * Start downloading a batch's images, so each appears at once: the tiny previews of all of them
 * first (on a slow network they are what the user sees soonest), then the full images, both from
 * the sample on screen onwards. Images already loaded are skipped, so calling it again (back
 * online) fetches only what failed.
 */
export function prefetchImages(urls: (string | null | undefined)[], requestWidth?: number): Promise<void> {
  const present = urls.filter((u): u is string => !!u)
  const fetch = async (url: string) => {
    if (loaded.has(url)) return
    try {
      // Promise.resolve: some platforms (and test doubles) return nothing instead of a promise.
      if ((await Promise.resolve(Image.prefetch(url))) !== false) loaded.add(url)
    } catch {
      // offline: the image on screen says so, and this runs again when the connection is back
    }
  }
  return Promise.all(present.map((u) => fetch(previewUrl(u)))).then(async () => {
    await Promise.all(present.map((u) => fetch(fullImageUrl(u, requestWidth))))
  })
}

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    corner: { position: "absolute", right: spacing.md, top: spacing.md },
    failedBox: { alignItems: "center", gap: spacing.sm, justifyContent: "center", padding: spacing.lg },
    failedHint: { color: colors.white, fontSize: 15, opacity: 0.85, textAlign: "center" },
    failedTitle: { color: colors.white, fontSize: 18, fontWeight: "700", textAlign: "center" },
    image: { height: "100%", width: "100%" },
    imageBox: {
      backgroundColor: colors.black,
      borderRadius: 16,
      flex: 1,
      justifyContent: "center",
      overflow: "hidden",
    },
    opaque: { opacity: 1 },
    text: { color: colors.text, fontSize: 24, lineHeight: 34 },
    textBox: { backgroundColor: colors.surface, borderColor: colors.border, borderRadius: 16, borderWidth: 1, flex: 1 },
    textContent: { flexGrow: 1, justifyContent: "center", padding: spacing.lg },
  })
  return styles
})
