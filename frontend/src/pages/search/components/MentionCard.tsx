/** One search hit: source, highlighted title and snippets, sentiment, emotion, brands, entities, link out. */
import { ExportOutlined } from "@ant-design/icons";
import { Card, Flex, Tag, Typography } from "antd";

import MentionText from "../../../components/MentionText";
import { EmotionTag, SentimentTag } from "../../../components/SentimentTag";
import SourceIcon from "../../../components/SourceIcon";
import { formatTime } from "../../../lib/format";
import type { SearchHit } from "../../../services/types";

const SNIPPET_CHARS = 280;

export default function MentionCard({
  hit,
  brandName,
  onEntity,
}: {
  hit: SearchHit;
  brandName: (id: number) => string;
  onEntity: (key: string) => void;
}) {
  const snippets = hit.highlight?.text ?? [];
  const text = hit.text.length > SNIPPET_CHARS ? `${hit.text.slice(0, SNIPPET_CHARS)}…` : hit.text;
  return (
    <Card size="small" data-testid="search-hit" styles={{ body: { padding: "12px 16px" } }}>
      <Flex gap={10} align="start">
        <span style={{ fontSize: 18, lineHeight: "24px" }}>
          <SourceIcon source={hit.source} />
        </span>
        <div style={{ minWidth: 0, flex: 1 }}>
          <Typography.Text strong style={{ fontSize: 15 }}>
            <MentionText snippet={hit.highlight?.title || hit.title || `${hit.author ?? "Someone"} on ${hit.source}`} />
          </Typography.Text>
          {hit.url && (
            <Typography.Link href={hit.url} target="_blank" rel="noreferrer" style={{ marginInlineStart: 8 }} aria-label="Open the original">
              <ExportOutlined />
            </Typography.Link>
          )}
          <Typography.Paragraph type="secondary" style={{ margin: "4px 0 8px" }}>
            {snippets.length ? snippets.map((s, i) => <span key={i}>{i > 0 && " … "}<MentionText snippet={s} /></span>) : text}
          </Typography.Paragraph>
          <Flex wrap gap={4} align="center">
            {hit.sentiment && <SentimentTag label={hit.sentiment.label} score={hit.sentiment.score} corrected={hit.sentiment.corrected} />}
            {hit.emotion && <EmotionTag label={hit.emotion.label} />}
            {hit.brand_ids.map((id) => (
              <Tag key={id} color="blue">
                {brandName(id)}
              </Tag>
            ))}
            {hit.entities.slice(0, 6).map((entity) => (
              <Tag
                key={`${entity.type}:${entity.text}`}
                bordered={false}
                style={{ cursor: "pointer" }}
                onClick={() => onEntity(`${entity.type}:${entity.text}`)}
              >
                {entity.text} <Typography.Text type="secondary" style={{ fontSize: 11 }}>{entity.type}</Typography.Text>
              </Tag>
            ))}
            <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: "auto" }}>
              {[hit.author, hit.lang, formatTime(hit.published_at)].filter(Boolean).join(" · ")}
            </Typography.Text>
          </Flex>
        </div>
      </Flex>
    </Card>
  );
}
