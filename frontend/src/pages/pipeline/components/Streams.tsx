/** Each stream's length and its consumer groups' lag and pending entries. */
import { Card, Col, Row, Statistic, Table, Tag } from "antd";

import { formatCount } from "../../../lib/format";
import type { Ingestion } from "../../../services/types";

export default function Streams({ streams }: { streams: Ingestion["streams"] }) {
  return (
    <Row gutter={[16, 16]}>
      {streams.map((stream) => (
        <Col key={stream.name} xs={24} lg={12}>
          <Card size="small" title={<code>{stream.name}</code>} extra={<Statistic value={formatCount(stream.length)} suffix="entries" styles={{ content: { fontSize: 16 } }} />}>
            <Table
              rowKey="name"
              size="small"
              pagination={false}
              dataSource={stream.groups}
              locale={{ emptyText: "No consumer group yet" }}
              columns={[
                { title: "Group", dataIndex: "name" },
                { title: "Consumers", dataIndex: "consumers", width: 100 },
                {
                  title: "Lag",
                  dataIndex: "lag",
                  width: 90,
                  render: (lag: number | null) => (lag == null ? "?" : <Tag color={lag > 1000 ? "red" : lag > 0 ? "orange" : "green"}>{formatCount(lag)}</Tag>),
                },
                { title: "Pending", dataIndex: "pending", width: 90, render: formatCount },
              ]}
            />
          </Card>
        </Col>
      ))}
    </Row>
  );
}
