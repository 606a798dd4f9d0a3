/** Brands: the registry, with create, edit, pause and delete. */
import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Popconfirm, Space, Switch, Table, Typography } from "antd";
import { useState } from "react";

import PageHeader from "../../components/PageHeader";
import { EmptyState, ErrorState } from "../../components/PageState";
import { BRANDS_KEY, useBrands } from "../../hooks/useBrands";
import { queryProblem } from "../../lib/queryError";
import { api, unwrap } from "../../services/client";
import type { Brand } from "../../services/types";
import BrandForm, { type BrandValues } from "./components/BrandForm";

export default function BrandsPage() {
  const brands = useBrands();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [editing, setEditing] = useState<Brand | "new" | undefined>();
  const done = (text: string) => {
    void client.invalidateQueries({ queryKey: BRANDS_KEY });
    void message.success(text);
  };
  const save = useMutation({
    mutationFn: ({ active, ...values }: BrandValues) =>
      editing && editing !== "new"
        ? unwrap(api.PATCH("/api/brands/{brand_id}", { params: { path: { brand_id: editing.id } }, body: { name: values.name, query: values.query, feeds: values.feeds, active } }))
        : unwrap(api.POST("/api/brands", { body: values })),
    onSuccess: (brand) => {
      setEditing(undefined);
      done(`Saved ${brand.name}`);
    },
  });
  const patch = useMutation({
    mutationFn: (brand: Brand) => unwrap(api.PATCH("/api/brands/{brand_id}", { params: { path: { brand_id: brand.id } }, body: { active: !brand.active } })),
    onSuccess: (brand) => done(`${brand.name} ${brand.active ? "resumed" : "paused"}`),
  });
  const remove = useMutation({
    mutationFn: (brand: Brand) => unwrap(api.DELETE("/api/brands/{brand_id}", { params: { path: { brand_id: brand.id } } })),
    onSuccess: () => done("Brand deleted; its stored mentions stay"),
  });
  const close = () => {
    setEditing(undefined);
    save.reset();
  };

  return (
    <>
      <PageHeader
        title="Brands"
        subtitle="What ingest matches: each brand is a Boolean query over titles and texts."
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")}>
            New brand
          </Button>
        }
      />
      <Card size="small">
        {brands.error ? (
          <ErrorState error={brands.error} onRetry={() => brands.refetch()} />
        ) : (
          <Table
            rowKey="id"
            loading={brands.isPending}
            dataSource={brands.brands}
            pagination={false}
            scroll={{ x: 720 }}
            locale={{ emptyText: <EmptyState description="No brands yet: add the first one" /> }}
            columns={[
              { title: "Name", dataIndex: "name", render: (name: string, brand) => <><Typography.Text strong>{name}</Typography.Text><br /><Typography.Text type="secondary">{brand.slug}</Typography.Text></> },
              { title: "Query", dataIndex: "query", render: (query: string) => <Typography.Text code>{query}</Typography.Text> },
              { title: "Feeds", dataIndex: "feeds", width: 80, render: (feeds: string[]) => feeds.length },
              {
                title: "Active",
                dataIndex: "active",
                width: 90,
                render: (active: boolean, brand) => <Switch checked={active} loading={patch.isPending && patch.variables?.id === brand.id} onChange={() => patch.mutate(brand)} aria-label={`Active ${brand.slug}`} />,
              },
              {
                title: "",
                key: "actions",
                width: 100,
                render: (_, brand) => (
                  <Space>
                    <Button type="text" icon={<EditOutlined />} aria-label={`Edit ${brand.slug}`} onClick={() => setEditing(brand)} />
                    <Popconfirm title={`Delete ${brand.name}?`} description="Its stored mentions and rollups stay." onConfirm={() => remove.mutate(brand)}>
                      <Button type="text" danger icon={<DeleteOutlined />} aria-label={`Delete ${brand.slug}`} />
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      <BrandForm
        open={editing !== undefined}
        brand={editing === "new" ? undefined : editing}
        saving={save.isPending}
        error={queryProblem(save.error) ? save.error : undefined}
        onClose={close}
        onSave={(values) => save.mutate(values)}
      />
    </>
  );
}
