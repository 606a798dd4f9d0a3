/** KPI cards: mentions, net sentiment, positive and negative share, each against the previous period. */
import { ArrowDownOutlined, ArrowUpOutlined } from "@ant-design/icons";
import { Card, Col, Row, Skeleton, Statistic, Typography, theme } from "antd";

import { formatChange, formatCount, formatNet, formatShare, type Change } from "../../../lib/format";
import type { Totals } from "../../../lib/rollups";

function share(totals: Totals | undefined, label: "positive" | "negative"): number | null | undefined {
  if (!totals) return undefined;
  const labelled = totals.positive + totals.neutral + totals.negative;
  return labelled ? totals[label] / labelled : null;
}

function ChangeText({ change, goodWhen }: { change?: Change; goodWhen: "up" | "down" }) {
  const { token } = theme.useToken();
  if (!change) return <Typography.Text type="secondary">no earlier data</Typography.Text>;
  const color = change.direction === "flat" ? token.colorTextSecondary : change.direction === goodWhen ? token.colorSuccess : token.colorError;
  return (
    <Typography.Text style={{ color }}>
      {change.direction === "up" && <ArrowUpOutlined />} {change.direction === "down" && <ArrowDownOutlined />} {change.text}{" "}
      <Typography.Text type="secondary">vs previous period</Typography.Text>
    </Typography.Text>
  );
}

export default function Kpis({ current, previous, loading }: { current?: Totals; previous?: Totals; loading: boolean }) {
  const cards = [
    { title: "Mentions", value: current && formatCount(current.mentions), change: formatChange(current?.mentions, previous?.mentions), good: "up" as const },
    { title: "Net sentiment", value: current && formatNet(current.net), change: formatChange(current?.net, previous?.net, "absolute"), good: "up" as const },
    { title: "Positive", value: formatShare(share(current, "positive")), change: formatChange(share(current, "positive"), share(previous, "positive"), "points"), good: "up" as const },
    { title: "Negative", value: formatShare(share(current, "negative")), change: formatChange(share(current, "negative"), share(previous, "negative"), "points"), good: "down" as const },
  ];
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
      {cards.map((card) => (
        <Col key={card.title} xs={12} lg={6}>
          <Card size="small" data-testid="kpi">
            {loading ? (
              <Skeleton active paragraph={{ rows: 1 }} />
            ) : (
              <>
                <Statistic title={card.title} value={card.value ?? "–"} />
                <div style={{ fontSize: 12, minHeight: 20 }}>
                  <ChangeText change={card.change} goodWhen={card.good} />
                </div>
              </>
            )}
          </Card>
        </Col>
      ))}
    </Row>
  );
}
