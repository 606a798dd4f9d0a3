/** Sentiment and emotion labels as coloured tags. */
import { FrownOutlined, MehOutlined, SmileOutlined } from "@ant-design/icons";
import { Tag, Tooltip } from "antd";

import type { Sentiment } from "../services/types";

export const SENTIMENT_COLORS: Record<Sentiment, string> = { positive: "#52c41a", neutral: "#8c8c8c", negative: "#f5222d" };
const PRESET: Record<Sentiment, string> = { positive: "success", neutral: "default", negative: "error" };
const ICON = { positive: <SmileOutlined />, neutral: <MehOutlined />, negative: <FrownOutlined /> };
const EMOTION: Record<string, string> = { joy: "gold", optimism: "cyan", anger: "volcano", sadness: "geekblue" };

export function SentimentTag({ label, score, corrected }: { label: Sentiment; score?: number | null; corrected?: boolean }) {
  const tag = (
    <Tag color={PRESET[label]} icon={ICON[label]}>
      {label}
      {score != null && ` ${score > 0 ? "+" : ""}${score.toFixed(2)}`}
    </Tag>
  );
  return corrected ? <Tooltip title="Labelled by a person">{tag}</Tooltip> : tag;
}

export function EmotionTag({ label }: { label: string }) {
  return <Tag color={EMOTION[label] ?? "default"}>{label}</Tag>;
}
