/** A ranked list (sources, authors) with each row's mentions and sentiment split as a thin bar. */
import { Flex, Tooltip, Typography } from "antd";

import { SENTIMENT_COLORS } from "../../../components/SentimentTag";
import { formatCount } from "../../../lib/format";
import type { TermStat } from "../../../services/types";

export default function TopList({ items, onPick }: { items: TermStat[]; onPick?: (key: string) => void }) {
  const most = Math.max(1, ...items.map((item) => item.mentions));
  return (
    <Flex vertical gap={10}>
      {items.map((item) => {
        const { positive, neutral, negative } = item.sentiment;
        const labelled = positive + neutral + negative || 1;
        return (
          <div key={item.key}>
            <Flex justify="space-between">
              <Typography.Link ellipsis style={{ maxWidth: "75%" }} onClick={() => onPick?.(item.key)}>
                {item.key}
              </Typography.Link>
              <Typography.Text type="secondary">{formatCount(item.mentions)}</Typography.Text>
            </Flex>
            <Tooltip title={`${positive} positive · ${neutral} neutral · ${negative} negative`}>
              <Flex style={{ width: `${(item.mentions / most) * 100}%`, height: 6, borderRadius: 3, overflow: "hidden", marginTop: 3 }}>
                {(["positive", "neutral", "negative"] as const).map((label) => (
                  <div key={label} style={{ width: `${(item.sentiment[label] / labelled) * 100}%`, background: SENTIMENT_COLORS[label] }} />
                ))}
              </Flex>
            </Tooltip>
          </div>
        );
      })}
    </Flex>
  );
}
