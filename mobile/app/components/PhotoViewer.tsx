import { useEffect, useRef, useState } from "react"
import { Image, Modal, PanResponder, Platform, StyleSheet, View, type GestureResponderEvent } from "react-native"
import { useSafeAreaInsets } from "react-native-safe-area-context"
import { spacing, themed } from "../theme"
import { t } from "../i18n"
import { Button } from "./Button"

type Props = {
  /** The photo as the labelling screen shows it (already loaded: it shows at once). */
  shownUrl: string
  /** The photo at full size, loaded once the user zooms in. */
  fullUrl: string
  description: string
  onClose: () => void
}

/** How far a double tap zooms in; a pinch goes from 1 to MAX_SCALE. */
export const DOUBLE_TAP_SCALE = 2.5
const MAX_SCALE = 6
const DOUBLE_TAP_MS = 300

type View3 = { scale: number; x: number; y: number }
const AT_REST: View3 = { scale: 1, x: 0, y: 0 }

const distance = (e: GestureResponderEvent) => {
  const [a, b] = e.nativeEvent.touches
  return Math.hypot(a.pageX - b.pageX, a.pageY - b.pageY)
}

/**
 * The photo full screen, above everything (the answer buttons cannot be reached while it is open):
 * pinch to zoom, drag to pan, a double tap zooms in or back out. Closes with its button, the back
 * button on Android, or Escape in a browser.
 */
export function PhotoViewer({ shownUrl, fullUrl, description, onClose }: Props) {
  const styles = useStyles()
  const insets = useSafeAreaInsets()
  const [view, setView] = useState<View3>(AT_REST)
  const [zoomedOnce, setZoomedOnce] = useState(false)
  const viewRef = useRef(view)
  viewRef.current = view
  const gesture = useRef({ start: AT_REST, startDistance: 0, lastTapAt: 0, moved: false })

  const apply = (next: View3) => {
    const scale = Math.min(MAX_SCALE, Math.max(1, next.scale))
    setView(scale === 1 ? AT_REST : { ...next, scale })
    if (scale > 1) setZoomedOnce(true)
  }

  const responder = useRef(
    PanResponder.create({
      onStartShouldSetPanResponder: () => true,
      onMoveShouldSetPanResponder: () => true,
      onPanResponderGrant: (e) => {
        gesture.current.start = viewRef.current
        gesture.current.moved = false
        gesture.current.startDistance = e.nativeEvent.touches.length >= 2 ? distance(e) : 0
      },
      onPanResponderMove: (e, g) => {
        const g0 = gesture.current
        if (e.nativeEvent.touches.length >= 2) {
          // A second finger arrived after the first: the pinch starts here.
          if (!g0.startDistance) {
            g0.startDistance = distance(e)
            g0.start = viewRef.current
          }
          g0.moved = true
          apply({ ...g0.start, scale: (g0.start.scale * distance(e)) / g0.startDistance })
        } else if (Math.abs(g.dx) + Math.abs(g.dy) > 4) {
          g0.moved = true
          if (g0.start.scale > 1) apply({ ...g0.start, x: g0.start.x + g.dx, y: g0.start.y + g.dy })
        }
      },
      onPanResponderRelease: () => {
        const g0 = gesture.current
        if (g0.moved) return
        const now = Date.now()
        if (now - g0.lastTapAt < DOUBLE_TAP_MS) {
          g0.lastTapAt = 0
          apply(viewRef.current.scale > 1 ? AT_REST : { scale: DOUBLE_TAP_SCALE, x: 0, y: 0 })
        } else g0.lastTapAt = now
      },
    }),
  ).current

  const closeRef = useRef(onClose)
  closeRef.current = onClose
  useEffect(() => {
    if (Platform.OS !== "web" || typeof window === "undefined") return
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return
      event.preventDefault()
      closeRef.current()
    }
    window.addEventListener("keydown", onKey)
    return () => window.removeEventListener("keydown", onKey)
  }, [])

  const zoomed = view.scale > 1
  return (
    <Modal
      visible
      transparent={false}
      animationType="none"
      onRequestClose={onClose}
      supportedOrientations={ORIENTATIONS}
    >
      <View style={styles.root} testID="photo-viewer" accessibilityViewIsModal>
        <View style={styles.stage} {...responder.panHandlers} testID="photo-viewer-stage">
          <Image
            source={{ uri: zoomedOnce ? fullUrl : shownUrl }}
            style={[
              styles.image,
              { transform: [{ translateX: view.x }, { translateY: view.y }, { scale: view.scale }] },
            ]}
            resizeMode="contain"
            fadeDuration={0}
            accessibilityLabel={description}
            testID="photo-viewer-image"
          />
        </View>
        <View style={[styles.bar, { top: insets.top + spacing.sm }]}>
          <Button
            label={zoomed ? t("viewer.zoomOut") : t("viewer.zoomIn")}
            variant="secondary"
            onPress={() => apply(zoomed ? AT_REST : { scale: DOUBLE_TAP_SCALE, x: 0, y: 0 })}
            testID="photo-viewer-zoom"
          />
          <Button label={t("viewer.close")} variant="secondary" onPress={onClose} testID="photo-viewer-close" />
        </View>
      </View>
    </Modal>
  )
}

const ORIENTATIONS = ["portrait", "landscape"] as ("portrait" | "landscape")[]

const useStyles = themed((colors) => {
  const styles = StyleSheet.create({
    bar: { flexDirection: "row", gap: spacing.sm, position: "absolute", right: spacing.md },
    image: { height: "100%", width: "100%" },
    root: { backgroundColor: colors.black, flex: 1 },
    stage: { flex: 1, overflow: "hidden" },
  })
  return styles
})
