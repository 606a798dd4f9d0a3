/** Every search filter in one drawer: brand, source, sentiment, emotion, language, entity, author, dates. */
import { Button, Checkbox, Drawer, Flex, Form, Select } from "antd";
import { useEffect, useState } from "react";

import BrandPicker from "../../../components/BrandPicker";
import RangePicker from "../../../components/RangePicker";
import { EMOTIONS, EMPTY_FILTERS, SENTIMENTS, type Filters } from "../../../lib/filters";
import type { Range } from "../../../lib/range";

const SOURCES = ["news", "hackernews", "reddit", "x", "gdelt", "file"];
const LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt"];

function rangeOf(filters: Filters): Range {
  if (filters.since || filters.until) return { since: filters.since ?? "", until: filters.until ?? new Date().toISOString() };
  return { last: filters.last ?? "7d" };
}

function withRange(filters: Filters, range: Range): Filters {
  const { since: _since, until: _until, last: _last, ...rest } = filters;
  return "last" in range ? { ...rest, last: range.last } : { ...rest, since: range.since, until: range.until };
}

function tags(value: string[], onChange: (next: string[]) => void, options: string[], placeholder: string) {
  return (
    <Select mode="tags" value={value} onChange={onChange} placeholder={placeholder} options={options.map((o) => ({ value: o }))} tokenSeparators={[","]} />
  );
}

export default function FilterDrawer({
  open,
  filters,
  sources,
  onClose,
  onApply,
}: {
  open: boolean;
  filters: Filters;
  sources: string[];
  onClose: () => void;
  onApply: (filters: Filters) => void;
}) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters, open]);
  const set = <K extends keyof Filters>(name: K, value: Filters[K]) => setDraft({ ...draft, [name]: value });
  return (
    <Drawer
      title="Filters"
      open={open}
      onClose={onClose}
      size={Math.min(420, window.innerWidth)}
      footer={
        <Flex justify="space-between">
          <Button onClick={() => setDraft({ ...EMPTY_FILTERS, q: filters.q })}>Clear all</Button>
          <Button type="primary" onClick={() => onApply(draft)}>
            Apply
          </Button>
        </Flex>
      }
    >
      <Form layout="vertical">
        <Form.Item label="Brands">
          <BrandPicker value={draft.brand} onChange={(v) => set("brand", v)} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item label="Sources">
          {tags(draft.source, (v) => set("source", v), [...new Set([...sources, ...SOURCES])], "Any source")}
        </Form.Item>
        <Form.Item label="Sentiment">
          <Checkbox.Group value={draft.sentiment} onChange={(v) => set("sentiment", v)} options={[...SENTIMENTS]} />
        </Form.Item>
        <Form.Item label="Emotion">
          <Checkbox.Group value={draft.emotion} onChange={(v) => set("emotion", v)} options={[...EMOTIONS]} />
        </Form.Item>
        <Form.Item label="Language">{tags(draft.lang, (v) => set("lang", v), LANGUAGES, "Any language")}</Form.Item>
        <Form.Item label="Entities" extra="Type:text, e.g. ORG:Acme">
          {tags(draft.entity, (v) => set("entity", v), [], "Any entity")}
        </Form.Item>
        <Form.Item label="Authors">{tags(draft.author, (v) => set("author", v), [], "Any author")}</Form.Item>
        <Form.Item label="Published">
          <RangePicker value={rangeOf(draft)} onChange={(range) => setDraft(withRange(draft, range))} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
