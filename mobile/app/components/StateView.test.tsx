import { fireEvent, render, screen } from "@testing-library/react-native"
import { Text } from "react-native"
import { StateView } from "./StateView"

const list = (items: string[]) => items.map((item) => <Text key={item}>{item}</Text>)

describe("StateView", () => {
  it("shows a spinner until the first data arrives, then the data", () => {
    const view = render(
      <StateView data={undefined} error={null} onRetry={jest.fn()}>
        {list}
      </StateView>,
    )
    expect(screen.getByTestId("loading")).toBeTruthy()

    view.rerender(
      <StateView data={["Images", "Text"]} error={null} onRetry={jest.fn()}>
        {list}
      </StateView>,
    )
    expect(screen.queryByTestId("loading")).toBeNull()
    expect(screen.getByText("Images")).toBeTruthy()
  })

  it("says what went wrong and asks again on Try again", () => {
    const onRetry = jest.fn()
    render(
      <StateView data={undefined} error="No connection to the server." onRetry={onRetry}>
        {list}
      </StateView>,
    )
    expect(screen.getByTestId("failed")).toHaveTextContent(/No connection to the server\./)
    fireEvent.press(screen.getByText("Try again"))
    expect(onRetry).toHaveBeenCalledTimes(1)
  })

  it("keeps showing the data it has when a refetch fails (offline)", () => {
    render(
      <StateView data={["Images"]} error="No connection to the server." onRetry={jest.fn()}>
        {list}
      </StateView>,
    )
    expect(screen.getByText("Images")).toBeTruthy()
    expect(screen.queryByTestId("failed")).toBeNull()
  })
})
