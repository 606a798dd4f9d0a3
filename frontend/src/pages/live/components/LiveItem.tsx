/** One mention as it arrived on the feed. */
import { ExportOutlined } from "@ant-design/icons";
import { Flex, Tag, Typography } from "antd";

import { EmotionTag, SentimentTag } from "../../../components/SentimentTag";
import SourceIcon from "../../../components/SourceIcon";
import { formatTime } from "../../../lib/format";
import type { LiveMention } from "../../../services/live";

export default function LiveItem({ mention, brandName }: { mention: LiveMention; brandName: (id: number) => string }) {
  return (
    <Flex gap={10} align="start" style={{ padding: "10px 0", width: "100%" }} data-testid="live-mention">
      <span style={{ fontSize: 16 }}>
        <SourceIcon source={mention.source} />
      </span>
      <div style={{ minWidth: 0, flex: 1 }}>
        <Typography.Text>{mention.title}</Typography.Text>
        {mention.url && (
          <Typography.Link href={mention.url} target="_blank" rel="noreferrer" style={{ marginInlineStart: 6 }} aria-label="Open the original">
            <ExportOutlined />
          </Typography.Link>
        )}
        <Flex wrap gap={4} align="center" style={{ marginTop: 4 }}>
          {mention.sentiment && <SentimentTag label={mention.sentiment} score={mention.sentiment_score} />}
          {mention.emotion && <EmotionTag label={mention.emotion} />}
          {mention.brand_ids.map((id) => (
            <Tag key={id} color="blue">
              {brandName(id)}
            </Tag>
          ))}
          <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: "auto" }}>
            {[mention.author, formatTime(mention.published_at)].filter(Boolean).join(" · ")}
          </Typography.Text>
        </Flex>
      </div>
    </Flex>
  );
}
