/** Facet counts over every match; clicking one toggles it as a filter. */
import { Card, Checkbox, Flex, Typography } from "antd";

import { formatCount } from "../../../lib/format";
import type { Filters } from "../../../lib/filters";
import type { Facets } from "../../../services/types";

type FacetName = "brand" | "source" | "sentiment" | "entity";

interface Row {
  value: string | number;
  label: string;
  count: number;
}

function Section({ title, rows, selected, onToggle }: { title: string; rows: Row[]; selected: (string | number)[]; onToggle: (value: string | number) => void }) {
  if (!rows.length) return null;
  return (
    <div style={{ marginBottom: 16 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12, textTransform: "uppercase", letterSpacing: 0.5 }}>
        {title}
      </Typography.Text>
      {rows.map((row) => (
        <Flex key={row.value} justify="space-between" align="center" style={{ padding: "3px 0" }}>
          <Checkbox checked={selected.includes(row.value)} onChange={() => onToggle(row.value)} style={{ minWidth: 0 }}>
            <Typography.Text ellipsis style={{ maxWidth: 150 }}>{row.label}</Typography.Text>
          </Checkbox>
          <Typography.Text type="secondary">{formatCount(row.count)}</Typography.Text>
        </Flex>
      ))}
    </div>
  );
}

export default function FacetPanel({
  facets,
  filters,
  brandName,
  onToggle,
}: {
  facets: Facets;
  filters: Filters;
  brandName: (id: number) => string;
  onToggle: (name: FacetName, value: string | number) => void;
}) {
  const counts = (items: { value: string; count: number }[]) => items.map(({ value, count }) => ({ value, label: value, count }));
  const none = !facets.brands.length && !facets.sources.length && !facets.sentiment.length && !facets.entities.length;
  return (
    <Card size="small" title="Refine">
      {none && <Typography.Text type="secondary">Nothing to refine</Typography.Text>}
      <Section title="Brands" rows={facets.brands.map((b) => ({ value: b.brand_id, label: brandName(b.brand_id), count: b.count }))} selected={filters.brand} onToggle={(v) => onToggle("brand", v)} />
      <Section title="Sentiment" rows={counts(facets.sentiment)} selected={filters.sentiment} onToggle={(v) => onToggle("sentiment", v)} />
      <Section title="Sources" rows={counts(facets.sources)} selected={filters.source} onToggle={(v) => onToggle("source", v)} />
      <Section title="Entities" rows={counts(facets.entities).map((row) => ({ ...row, label: row.label.replace(/^([A-Z]+):(.*)$/, "$2 · $1") }))} selected={filters.entity} onToggle={(v) => onToggle("entity", v)} />
    </Card>
  );
}
