/** Search: one query box, filters in a drawer, facet counts, highlighted hits on an infinite cursor, CSV export. */
import { DownloadOutlined, FilterOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Badge, Button, Col, Flex, Grid, Row, Select, Skeleton, Tag, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";

import { EmptyState, ErrorState } from "../../components/PageState";
import QueryBox from "../../components/QueryBox";
import { useBrands } from "../../hooks/useBrands";
import { activeFilterCount, filtersFromParams, filtersToParams, toggleFilter, toMentionQuery, type Filters } from "../../lib/filters";
import { formatCount, formatTime } from "../../lib/format";
import { queryProblem } from "../../lib/queryError";
import { exportCsv } from "../../services/download";
import FacetPanel from "./components/FacetPanel";
import FilterDrawer from "./components/FilterDrawer";
import ResultList from "./components/ResultList";
import { useSearch, type SortOrder } from "./useSearch";

function FilterChips({ filters, brandName, onChange }: { filters: Filters; brandName: (id: number) => string; onChange: (f: Filters) => void }) {
  const chips = [
    ...filters.brand.map((id) => ({ key: `brand:${id}`, label: brandName(id), drop: () => toggleFilter(filters, "brand", id) })),
    ...(["source", "sentiment", "emotion", "lang", "entity", "author"] as const).flatMap((name) =>
      (filters[name] as string[]).map((value) => ({ key: `${name}:${value}`, label: `${name}: ${value}`, drop: () => toggleFilter(filters, name, value) })),
    ),
  ];
  if (filters.since || filters.until) {
    const label = `${filters.since ? formatTime(filters.since) : "…"} – ${filters.until ? formatTime(filters.until) : "now"}`;
    chips.push({ key: "range", label, drop: () => ({ ...filters, since: undefined, until: undefined }) });
  } else if (filters.last) chips.push({ key: "range", label: `last ${filters.last}`, drop: () => ({ ...filters, last: undefined }) });
  if (!chips.length) return null;
  return (
    <Flex wrap gap={4} style={{ marginBottom: 12 }} data-testid="filter-chips">
      {chips.map((chip) => (
        <Tag key={chip.key} closable onClose={() => onChange(chip.drop())} color="processing">
          {chip.label}
        </Tag>
      ))}
    </Flex>
  );
}

export default function SearchPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const sort: SortOrder = params.get("sort") === "newest" || !filters.q.trim() ? "newest" : "relevance";
  const [draft, setDraft] = useState(filters.q);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const { nameOf } = useBrands();
  const screens = Grid.useBreakpoint();
  const search = useSearch(filters, sort);
  const exporting = useMutation({ mutationFn: () => exportCsv(toMentionQuery(filters)) });
  useEffect(() => setDraft(filters.q), [filters.q]);

  const apply = useCallback(
    (next: Filters, nextSort: string | null = params.get("sort")) => {
      const query = filtersToParams(next);
      if (nextSort) query.set("sort", nextSort);
      setParams(query);
    },
    [params, setParams],
  );
  const problem = queryProblem(search.error);
  const first = search.data?.pages[0];
  const hits = useMemo(() => search.data?.pages.flatMap((page) => page.hits) ?? [], [search.data]);
  const loadMore = useCallback(() => {
    if (!search.isFetchingNextPage) void search.fetchNextPage();
  }, [search]);

  let results: React.ReactNode;
  if (search.isPending) results = <Skeleton active paragraph={{ rows: 10 }} />;
  else if (problem) results = <EmptyState description="Fix the query to see results" />;
  else if (search.error) results = <ErrorState error={search.error} onRetry={() => search.refetch()} />;
  else if (!hits.length) results = <EmptyState description="No mentions match: widen the dates or drop a filter" />;
  else
    results = (
      <ResultList
        hits={hits}
        hasMore={search.hasNextPage}
        loadingMore={search.isFetchingNextPage}
        loadMore={loadMore}
        brandName={nameOf}
        onEntity={(key) => apply(filters.entity.includes(key) ? filters : toggleFilter(filters, "entity", key))}
      />
    );

  return (
    <>
      <Flex wrap gap={8} align="start" style={{ marginBottom: 12 }}>
        <QueryBox value={draft} onChange={setDraft} onSubmit={(q) => apply({ ...filters, q })} problem={problem} />
        <Badge count={activeFilterCount(filters)} size="small">
          <Button size="large" icon={<FilterOutlined />} onClick={() => setDrawerOpen(true)}>
            Filters
          </Button>
        </Badge>
      </Flex>
      <FilterChips filters={filters} brandName={nameOf} onChange={(next) => apply(next)} />
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
        <Typography.Text type="secondary" data-testid="search-total">
          {first ? `${formatCount(first.total)}${first.total_exact ? "" : "+"} mentions` : "\u00a0"}
          {search.isFetching && !search.isFetchingNextPage && " · updating…"}
        </Typography.Text>
        <Flex gap={8}>
          <Select
            aria-label="Sort"
            value={sort}
            onChange={(value) => apply(filters, value)}
            options={[
              { value: "relevance", label: "Most relevant", disabled: !filters.q.trim() },
              { value: "newest", label: "Newest first" },
            ]}
            style={{ width: 150 }}
          />
          <Button icon={<DownloadOutlined />} loading={exporting.isPending} disabled={!!problem} onClick={() => exporting.mutate()}>
            Export CSV
          </Button>
        </Flex>
      </Flex>
      <Row gutter={[16, 16]}>
        {screens.lg && (
          <Col lg={6}>
            {first?.facets ? (
              <FacetPanel facets={first.facets} filters={filters} brandName={nameOf} onToggle={(name, value) => apply(toggleFilter(filters, name, value))} />
            ) : (
              <Skeleton active />
            )}
          </Col>
        )}
        <Col xs={24} lg={18}>
          {results}
        </Col>
      </Row>
      <FilterDrawer
        open={drawerOpen}
        filters={filters}
        sources={first?.facets?.sources.map((s) => s.value) ?? []}
        onClose={() => setDrawerOpen(false)}
        onApply={(next) => {
          setDrawerOpen(false);
          apply(next);
        }}
      />
    </>
  );
}
