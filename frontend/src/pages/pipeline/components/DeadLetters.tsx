/** The newest dead letters with their reasons, and replay (one, or the oldest in bulk). */
import { RedoOutlined } from "@ant-design/icons";
import { Button, Card, Popconfirm, Table, Tag, Typography } from "antd";

import { EmptyState } from "../../../components/PageState";
import { formatAgo, formatCount } from "../../../lib/format";
import type { DeadLetter, Ingestion } from "../../../services/types";

export default function DeadLetters({
  status,
  replaying,
  onReplay,
}: {
  status: Ingestion["dead_letters"];
  replaying?: string[] | "all";
  onReplay: (ids: string[] | "all") => void;
}) {
  return (
    <Card
      size="small"
      title={
        <>
          Dead letters <Tag color={status.count ? "red" : "green"}>{formatCount(status.count)}</Tag>
        </>
      }
      extra={
        status.count > 0 && (
          <Popconfirm title={`Replay the oldest ${Math.min(status.count, 100)} dead letters?`} onConfirm={() => onReplay("all")}>
            <Button icon={<RedoOutlined />} loading={replaying === "all"}>
              Replay oldest
            </Button>
          </Popconfirm>
        )
      }
      data-testid="dead-letters"
    >
      <Table<DeadLetter>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={status.latest}
        scroll={{ x: 720 }}
        locale={{ emptyText: <EmptyState description="No dead letters: every entry was processed" /> }}
        columns={[
          { title: "Reason", dataIndex: "reason", render: (reason: string) => <Typography.Text type="danger">{reason || "unknown"}</Typography.Text> },
          { title: "From", key: "from", width: 300, render: (_, l) => <><code>{l.stream}</code> <Tag>{l.group}</Tag></> },
          { title: "When", dataIndex: "at", width: 110, render: (at: string | null) => (at ? formatAgo(at) : "–") },
          {
            title: "",
            key: "replay",
            width: 100,
            render: (_, letter) => (
              <Button size="small" icon={<RedoOutlined />} loading={Array.isArray(replaying) && replaying.includes(letter.id)} onClick={() => onReplay([letter.id])}>
                Replay
              </Button>
            ),
          },
        ]}
      />
    </Card>
  );
}
