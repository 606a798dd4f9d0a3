/** Dashboard: KPIs, mentions over time with spikes, sentiment, share of voice, entities, keywords, sources
 * and authors for the chosen brands and range. Long ranges read PostgreSQL's rollups. */
import { Col, Flex, Grid, Row, Tag, Typography } from "antd";
import { lazy, useMemo } from "react";
import { useNavigate, useSearchParams } from "react-router";

import BrandPicker from "../../components/BrandPicker";
import PageHeader from "../../components/PageHeader";
import RangePicker from "../../components/RangePicker";
import { useBrands } from "../../hooks/useBrands";
import { EMPTY_FILTERS, filtersFromParams, filtersToParams } from "../../lib/filters";
import type { Range } from "../../lib/range";
import { rollupSeries, rollupShares, type SeriesPoint } from "../../lib/rollups";
import { spikeInBucket, spikeSearchPath } from "../../lib/spikes";
import type { SentimentSeries } from "../../services/types";
import ChartCard from "./components/ChartCard";
import Kpis from "./components/Kpis";
import SpikeList from "./components/SpikeList";
import TopList from "./components/TopList";
import { useDashboard } from "./useDashboard";

const charts = () => import("./components/charts");
const VolumeChart = lazy(() => charts().then((m) => ({ default: m.VolumeChart })));
const SentimentChart = lazy(() => charts().then((m) => ({ default: m.SentimentChart })));
const NetSentimentChart = lazy(() => charts().then((m) => ({ default: m.NetSentimentChart })));
const ShareChart = lazy(() => charts().then((m) => ({ default: m.ShareChart })));
const EntityChart = lazy(() => charts().then((m) => ({ default: m.EntityChart })));
const KeywordCloud = lazy(() => charts().then((m) => ({ default: m.KeywordCloud })));

function seriesOf(series: SentimentSeries): SeriesPoint[] {
  return series.points.map(({ time, mentions, sentiment }) => ({ time, mentions, ...sentiment, net: sentiment.net_sentiment }));
}

export default function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const { nameOf } = useBrands();
  const wide = Grid.useBreakpoint().md ?? true;
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const brands = filters.brand;
  const range: Range = useMemo(
    () => (filters.since && filters.until ? { since: filters.since, until: filters.until } : { last: filters.last ?? "7d" }),
    [filters.since, filters.until, filters.last],
  );
  const update = (next: { brand?: number[]; range?: Range }) => {
    const chosen = next.range ?? range;
    setParams(filtersToParams({ ...EMPTY_FILTERS, brand: next.brand ?? brands, ...chosen }));
  };
  const d = useDashboard(brands, range);
  const searchFor = (extra: Partial<typeof EMPTY_FILTERS>) =>
    navigate(`/search?${filtersToParams({ ...EMPTY_FILTERS, brand: brands, ...("last" in range ? { last: range.last } : range), ...extra })}`);

  const rollups = d.rollups.data?.data ?? [];
  const longSeries = { ...d.rollups, data: d.rollups.data && rollupSeries(rollups) };
  const sentimentSeries = d.long ? longSeries : { ...d.sentiment, data: d.sentiment.data && seriesOf(d.sentiment.data) };
  const shares = d.long
    ? { ...d.rollups, data: d.rollups.data && rollupShares(rollups) }
    : { ...d.share, data: d.share.data?.brands };

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle={d.long ? <Tag color="purple">Long range: hourly and daily rollups from PostgreSQL</Tag> : "Live analytics from Elasticsearch"}
        extra={
          <>
            <BrandPicker value={brands} onChange={(brand) => update({ brand })} />
            <RangePicker value={range} onChange={(next) => update({ range: next })} />
          </>
        }
      />
      <Kpis current={d.current.data} previous={d.before.data} loading={d.current.isPending} />
      <Row gutter={[16, 16]}>
        <Col xs={24}>
          {d.long ? (
            <ChartCard title="Mentions over time" query={longSeries} isEmpty={(points) => !points.length}>
              {(points) => <VolumeChart points={points.map((p) => ({ time: p.time, mentions: p.mentions, spike: false }))} onSpike={() => undefined} />}
            </ChartCard>
          ) : (
            <ChartCard
              title="Mentions over time"
              extra={wide && <Typography.Text type="secondary">click a red column to see its hour</Typography.Text>}
              query={d.volume}
              isEmpty={(volume) => volume.mentions === 0}
            >
              {(volume) => (
                <Flex vertical gap={8}>
                  <VolumeChart
                    points={volume.points}
                    onSpike={(time) => {
                      const spike = spikeInBucket(time, volume.interval, volume.spikes);
                      if (spike) navigate(spikeSearchPath(spike, brands));
                    }}
                  />
                  <SpikeList spikes={volume.spikes} brands={brands} />
                </Flex>
              )}
            </ChartCard>
          )}
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="Sentiment over time" query={sentimentSeries} isEmpty={(points) => !points.some((p) => p.mentions)}>
            {(points) => <SentimentChart points={points} />}
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="Net sentiment" query={sentimentSeries} isEmpty={(points) => !points.some((p) => p.net !== null)}>
            {(points) => <NetSentimentChart points={points} />}
          </ChartCard>
        </Col>
        <Col xs={24} lg={8}>
          <ChartCard title="Share of voice" query={shares} isEmpty={(items) => !items.some((s) => s.mentions)}>
            {(items) => <ShareChart shares={items.map((s) => ({ brand: nameOf(s.brand_id), mentions: s.mentions, share: s.share }))} />}
          </ChartCard>
        </Col>
        <Col xs={24} lg={16}>
          <ChartCard title="Top entities by sentiment" query={d.entities} isEmpty={(top) => !top.items.length}>
            {(top) => <EntityChart entities={top.items.map((e) => ({ label: `${e.text} · ${e.type}`, ...e.sentiment }))} />}
          </ChartCard>
        </Col>
        <Col xs={24} lg={12}>
          <ChartCard title="Keywords" query={d.keywords} isEmpty={(top) => !top.items.length}>
            {(top) => <KeywordCloud keywords={top.items.map((k) => ({ text: k.key, value: k.mentions }))} />}
          </ChartCard>
        </Col>
        <Col xs={24} md={12} lg={6}>
          <ChartCard title="Top sources" query={d.sources} isEmpty={(top) => !top.items.length}>
            {(top) => <TopList items={top.items} onPick={(source) => searchFor({ source: [source] })} />}
          </ChartCard>
        </Col>
        <Col xs={24} md={12} lg={6}>
          <ChartCard title="Top authors" query={d.authors} isEmpty={(top) => !top.items.length}>
            {(top) => <TopList items={top.items} onPick={(author) => searchFor({ author: [author] })} />}
          </ChartCard>
        </Col>
      </Row>
    </>
  );
}
