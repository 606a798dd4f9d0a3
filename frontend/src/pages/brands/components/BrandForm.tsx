/** Create or edit a brand: the Boolean query is validated as you type, with a preview of recent matches. */
import { Alert, Button, Drawer, Flex, Form, Input, List, Select, Switch, Typography } from "antd";
import { useEffect } from "react";

import MentionText from "../../../components/MentionText";
import { QueryProblemText, SyntaxHelp } from "../../../components/QueryBox";
import { SentimentTag } from "../../../components/SentimentTag";
import SourceIcon from "../../../components/SourceIcon";
import { formatCount, formatTime } from "../../../lib/format";
import { queryProblem } from "../../../lib/queryError";
import type { Brand, BrandCreate } from "../../../services/types";
import { useQueryPreview } from "../useQueryPreview";

export interface BrandValues extends BrandCreate {
  active: boolean;
}

function Preview({ query }: { query: string }) {
  const preview = useQueryPreview(query);
  if (!query.trim()) return <Typography.Text type="secondary">Type a query to see what it matches.</Typography.Text>;
  if (preview.problem) return <QueryProblemText query={query} problem={preview.problem} />;
  if (preview.error) return <Alert type="warning" showIcon title="The preview is unavailable" />;
  const page = preview.data;
  return (
    <div data-testid="brand-preview" style={{ opacity: preview.settled && !preview.isFetching ? 1 : 0.6 }}>
      <Typography.Text type="success">Valid query</Typography.Text>
      <Typography.Text type="secondary">{page ? ` · ${formatCount(page.total)} mentions in the last 7 days` : " · checking…"}</Typography.Text>
      {page && page.hits.length > 0 && (
        <List
          size="small"
          dataSource={page.hits}
          renderItem={(hit) => (
            <List.Item style={{ paddingInline: 0 }}>
              <Flex gap={8} align="start" style={{ width: "100%" }}>
                <SourceIcon source={hit.source} />
                <div style={{ minWidth: 0, flex: 1 }}>
                  <Typography.Text ellipsis style={{ display: "block" }}>
                    <MentionText snippet={hit.highlight?.title || hit.title || hit.highlight?.text[0] || hit.text} />
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatTime(hit.published_at)}
                  </Typography.Text>
                </div>
                {hit.sentiment && <SentimentTag label={hit.sentiment.label} />}
              </Flex>
            </List.Item>
          )}
        />
      )}
    </div>
  );
}

export default function BrandForm({
  open,
  brand,
  saving,
  error,
  onClose,
  onSave,
}: {
  open: boolean;
  brand?: Brand;
  saving: boolean;
  error: unknown;
  onClose: () => void;
  onSave: (values: BrandValues) => void;
}) {
  const [form] = Form.useForm<BrandValues>();
  const query = Form.useWatch("query", form) ?? "";
  useEffect(() => {
    if (open) form.setFieldsValue(brand ? { ...brand, feeds: [...brand.feeds] } : { slug: "", name: "", query: "", feeds: [], active: true });
  }, [open, brand, form]);
  const saveProblem = queryProblem(error);
  return (
    <Drawer
      title={brand ? `Edit ${brand.name}` : "New brand"}
      open={open}
      onClose={onClose}
      size={Math.min(520, window.innerWidth)}
      destroyOnHidden
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()}>
            {brand ? "Save" : "Create brand"}
          </Button>
        </Flex>
      }
    >
      <Form form={form} layout="vertical" onFinish={onSave} requiredMark="optional">
        <Form.Item name="name" label="Name" rules={[{ required: true, max: 200 }]}>
          <Input placeholder="Acme" />
        </Form.Item>
        <Form.Item
          name="slug"
          label="Slug"
          extra="Lower-case letters, digits and dashes; it never changes."
          rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9-]{0,62}$/, message: "Lower-case letters, digits and dashes" }]}
        >
          <Input placeholder="acme" disabled={!!brand} />
        </Form.Item>
        <Form.Item
          name="query"
          label={
            <Flex align="center">
              Query <SyntaxHelp />
            </Flex>
          }
          rules={[{ required: true, max: 1000 }]}
          validateStatus={saveProblem ? "error" : undefined}
          help={saveProblem && <QueryProblemText query={query} problem={saveProblem} />}
        >
          <Input.TextArea aria-label="Brand query" rows={3} placeholder='("Acme" OR "Acme Corp") -"acme brick"' style={{ fontFamily: "monospace" }} />
        </Form.Item>
        <div style={{ marginTop: -8, marginBottom: 16 }}>
          <Preview query={query} />
        </div>
        <Form.Item name="feeds" label="Feeds" extra="RSS or Atom URLs polled for this brand (optional).">
          <Select mode="tags" placeholder="https://example.com/feed.xml" tokenSeparators={[" ", ","]} open={false} />
        </Form.Item>
        {brand && (
          <Form.Item name="active" label="Active" valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Drawer>
  );
}
