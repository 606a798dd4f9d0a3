/** The dashboard's charts. Only this module imports @ant-design/plots, and only lazily, so the charts
 * library loads in its own chunk after the page shell. */
import { Area, Bar, Column, Line, Pie, WordCloud } from "@ant-design/plots";

import { SENTIMENT_COLORS } from "../../../components/SentimentTag";
import { formatAxisTime, formatNet, formatShare } from "../../../lib/format";
import type { SeriesPoint } from "../../../lib/rollups";
import { useThemeMode } from "../../../theme";

const SENTIMENTS = ["positive", "neutral", "negative"] as const;
const SENTIMENT_SCALE = { color: { domain: [...SENTIMENTS], range: SENTIMENTS.map((label) => SENTIMENT_COLORS[label]) } };
const HEIGHT = 260;

function useChartTheme() {
  const [mode] = useThemeMode();
  return mode === "dark" ? "classicDark" : "classic";
}

const MAX_LABELS = 8;
const WORD_COLORS = ["#1677ff", "#13a8a8", "#722ed1", "#eb2f96", "#fa8c16", "#52c41a", "#2f54eb", "#d4380d"];

/** A time axis over `times` (oldest first) with at most MAX_LABELS labels, kept horizontal. */
function timeAxis(times: string[]) {
  const step = Math.max(1, Math.ceil(times.length / MAX_LABELS));
  const span = times.length ? Date.parse(times[times.length - 1]!) - Date.parse(times[0]!) : 0;
  return {
    labelFormatter: (value: string | Date) => formatAxisTime(value, span),
    labelFilter: (_: unknown, index: number) => index % step === 0,
    labelAutoRotate: false,
    title: false,
  };
}

export interface VolumeDatum {
  time: string;
  mentions: number;
  spike: boolean;
}

/** Mentions per bucket as columns, spike buckets in red; clicking a spike column calls `onSpike`. */
export function VolumeChart({ points, onSpike }: { points: VolumeDatum[]; onSpike: (time: string) => void }) {
  const theme = useChartTheme();
  return (
    <Column
      theme={theme}
      height={HEIGHT}
      data={points.map((p) => ({ ...p, kind: p.spike ? "spike" : "mentions" }))}
      xField="time"
      yField="mentions"
      colorField="kind"
      scale={{ color: { domain: ["mentions", "spike"], range: ["#1677ff", "#f5222d"] } }}
      axis={{ x: timeAxis(points.map((p) => p.time)), y: { title: false } }}
      legend={false}
      style={{ cursor: "pointer" }}
      tooltip={{ title: (d: VolumeDatum) => new Date(d.time).toLocaleString(), items: [{ channel: "y", name: "mentions" }] }}
      onEvent={(_chart, event) => {
        const datum = event?.data?.data as VolumeDatum | undefined;
        if (event.type === "element:click" && datum?.spike) onSpike(datum.time);
      }}
    />
  );
}

/** Sentiment counts over time, stacked. */
export function SentimentChart({ points }: { points: SeriesPoint[] }) {
  const theme = useChartTheme();
  const data = points.flatMap((p) => SENTIMENTS.map((label) => ({ time: p.time, label, mentions: p[label] })));
  return (
    <Area
      theme={theme}
      height={HEIGHT}
      data={data}
      xField="time"
      yField="mentions"
      colorField="label"
      stack
      scale={SENTIMENT_SCALE}
      style={{ fillOpacity: 0.75 }}
      axis={{ x: timeAxis(points.map((p) => p.time)), y: { title: false } }}
      legend={{ color: { position: "top" } }}
    />
  );
}

/** Net sentiment, (positive − negative) / (positive + negative), over time. */
export function NetSentimentChart({ points }: { points: SeriesPoint[] }) {
  const theme = useChartTheme();
  const data = points.filter((p) => p.net !== null).map((p) => ({ time: p.time, net: p.net }));
  return (
    <Line
      theme={theme}
      height={HEIGHT}
      data={data}
      xField="time"
      yField="net"
      scale={{ y: { domain: [-1, 1] } }}
      axis={{ x: timeAxis(data.map((p) => p.time)), y: { title: false } }}
      style={{ lineWidth: 2 }}
      tooltip={{ items: [{ channel: "y", name: "net sentiment", valueFormatter: (v: number) => formatNet(v) }] }}
      annotations={[{ type: "lineY", yField: 0, style: { stroke: "#8c8c8c", lineDash: [4, 4] } }]}
    />
  );
}

/** Each brand's share of the brands' mentions, as a donut. */
export function ShareChart({ shares }: { shares: { brand: string; mentions: number; share: number | null }[] }) {
  const theme = useChartTheme();
  return (
    <Pie
      theme={theme}
      height={HEIGHT}
      data={shares}
      angleField="mentions"
      colorField="brand"
      innerRadius={0.6}
      label={{ text: (d: { share: number | null }) => formatShare(d.share), style: { fontWeight: 600 } }}
      legend={{ color: { position: "right", layout: { justifyContent: "center" } } }}
      tooltip={{ items: [{ field: "mentions" }, { field: "share", valueFormatter: (v: number) => formatShare(v, 1) }] }}
    />
  );
}

/** The entities named most, each bar split by sentiment. */
export function EntityChart({ entities }: { entities: { label: string; positive: number; neutral: number; negative: number }[] }) {
  const theme = useChartTheme();
  const data = entities.flatMap((e) => SENTIMENTS.map((label) => ({ entity: e.label, label, mentions: e[label] })));
  return (
    <Bar
      theme={theme}
      height={Math.max(HEIGHT, entities.length * 28)}
      data={data}
      xField="entity"
      yField="mentions"
      colorField="label"
      stack
      scale={SENTIMENT_SCALE}
      axis={{ x: { title: false }, y: { title: false } }}
      legend={{ color: { position: "top" } }}
    />
  );
}

/** Keywords sized by mentions. */
export function KeywordCloud({ keywords }: { keywords: { text: string; value: number }[] }) {
  const theme = useChartTheme();
  return (
    <WordCloud
      theme={theme}
      height={HEIGHT}
      data={keywords}
      textField="text"
      colorField="text"
      scale={{ color: { range: WORD_COLORS } }}
      layout={{ spiral: "rectangular", fontSize: [12, 40], padding: 2 }}
      legend={false}
    />
  );
}
