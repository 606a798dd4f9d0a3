/** The alert rules, with mute switches, edit and delete. */
import { DeleteOutlined, EditOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Space, Switch, Table, Tag } from "antd";

import { EmptyState } from "../../../components/PageState";
import { formatSeconds, formatShare } from "../../../lib/format";
import type { AlertRule } from "../../../services/types";

export default function RuleTable({
  rules,
  loading,
  brandName,
  onMute,
  onEdit,
  onDelete,
}: {
  rules: AlertRule[];
  loading: boolean;
  brandName: (id: number) => string;
  onMute: (rule: AlertRule) => void;
  onEdit: (rule: AlertRule) => void;
  onDelete: (rule: AlertRule) => void;
}) {
  return (
    <Table
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={rules}
      pagination={false}
      scroll={{ x: 700 }}
      locale={{ emptyText: <EmptyState description="No rules: add one to be told when a brand needs attention" /> }}
      columns={[
        { title: "Brand", dataIndex: "brand_id", render: (id: number) => <Tag color="blue">{brandName(id)}</Tag> },
        {
          title: "Condition",
          key: "condition",
          render: (_, rule) =>
            rule.kind === "negative_share"
              ? `negative share > ${formatShare(rule.threshold)} over ${formatSeconds(rule.window_s)}`
              : `volume > mean + ${rule.threshold}σ per ${formatSeconds(rule.window_s)}`,
        },
        { title: "Min. mentions", dataIndex: "min_count", width: 120 },
        { title: "Webhook", dataIndex: "webhook_url", ellipsis: true, render: (url: string | null) => url ?? "global" },
        {
          title: "Active",
          dataIndex: "muted",
          width: 90,
          render: (muted: boolean, rule) => <Switch checked={!muted} onChange={() => onMute(rule)} aria-label={`Mute rule ${rule.id}`} />,
        },
        {
          title: "",
          key: "actions",
          width: 100,
          render: (_, rule) => (
            <Space>
              <Button type="text" icon={<EditOutlined />} aria-label={`Edit rule ${rule.id}`} onClick={() => onEdit(rule)} />
              <Popconfirm title="Delete this rule and the alerts it fired?" onConfirm={() => onDelete(rule)}>
                <Button type="text" danger icon={<DeleteOutlined />} aria-label={`Delete rule ${rule.id}`} />
              </Popconfirm>
            </Space>
          ),
        },
      ]}
    />
  );
}
