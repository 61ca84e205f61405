import { ButtonLink } from "../components/Button"
import { Card } from "../components/Card"
import { Empty } from "../components/States"

export function NotFoundPage() {
  return (
    <Card title="Not found">
      <Empty title="There is no page here" action={<ButtonLink href="/">See all tasks</ButtonLink>} />
    </Card>
  )
}
