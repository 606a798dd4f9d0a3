/** The live sentiment ticker: rate and mood of the last five minutes of the feed. */
import { Card, Col, Flex, Row, Statistic, Tooltip } from "antd";

import { SENTIMENT_COLORS } from "../../../components/SentimentTag";
import { formatNet } from "../../../lib/format";
import type { TickerState } from "../../../lib/ticker";

export default function Ticker({ state }: { state: TickerState }) {
  const labelled = state.positive + state.neutral + state.negative || 1;
  return (
    <Card size="small" style={{ marginBottom: 16 }} data-testid="ticker">
      <Row gutter={[16, 8]} align="middle">
        <Col xs={8} md={4}>
          <Statistic title="Per minute" value={state.perMinute.toFixed(1)} />
        </Col>
        <Col xs={8} md={4}>
          <Statistic
            title="Net sentiment"
            value={formatNet(state.net)}
            styles={{ content: { color: state.net === null ? undefined : state.net >= 0 ? SENTIMENT_COLORS.positive : SENTIMENT_COLORS.negative } }}
          />
        </Col>
        <Col xs={8} md={4}>
          <Statistic title="Last 5 min" value={state.mentions} />
        </Col>
        <Col xs={24} md={12}>
          <Tooltip title={`${state.positive} positive · ${state.neutral} neutral · ${state.negative} negative`}>
            <Flex style={{ height: 12, borderRadius: 6, overflow: "hidden", background: "rgba(128,128,128,0.15)" }}>
              {(["positive", "neutral", "negative"] as const).map((label) => (
                <div key={label} style={{ width: `${(state[label] / labelled) * 100}%`, background: SENTIMENT_COLORS[label], transition: "width .4s" }} />
              ))}
            </Flex>
          </Tooltip>
        </Col>
      </Row>
    </Card>
  );
}
