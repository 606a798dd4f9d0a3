/** Alerts: rules per brand (create, edit, mute, delete) and the alerts they fired. */
import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Row } from "antd";
import { useState } from "react";

import BrandPicker from "../../components/BrandPicker";
import PageHeader from "../../components/PageHeader";
import { ErrorState } from "../../components/PageState";
import { useBrands } from "../../hooks/useBrands";
import { api, unwrap } from "../../services/client";
import type { AlertRule } from "../../services/types";
import AlertHistory from "./components/AlertHistory";
import RuleForm, { type RuleValues } from "./components/RuleForm";
import RuleTable from "./components/RuleTable";

export default function AlertsPage() {
  const { nameOf } = useBrands();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [brands, setBrands] = useState<number[]>([]);
  const [editing, setEditing] = useState<AlertRule | "new" | undefined>();
  const rules = useQuery({
    queryKey: ["alert-rules", brands],
    queryFn: () => unwrap(api.GET("/api/alerts/rules", { params: { query: { brand: brands.length ? brands : undefined } } })),
  });
  const changed = (text: string) => {
    void client.invalidateQueries({ queryKey: ["alert-rules"] });
    void message.success(text);
  };
  const save = useMutation({
    mutationFn: ({ brand_id, ...values }: RuleValues) =>
      editing && editing !== "new"
        ? unwrap(api.PATCH("/api/alerts/rules/{rule_id}", { params: { path: { rule_id: editing.id } }, body: values }))
        : unwrap(api.POST("/api/alerts/rules", { body: { brand_id, ...values } })),
    onSuccess: () => {
      setEditing(undefined);
      changed("Rule saved");
    },
  });
  const mute = useMutation({
    mutationFn: (rule: AlertRule) => unwrap(api.PATCH("/api/alerts/rules/{rule_id}", { params: { path: { rule_id: rule.id } }, body: { muted: !rule.muted } })),
    onSuccess: (rule) => changed(rule.muted ? "Rule muted" : "Rule active"),
  });
  const remove = useMutation({
    mutationFn: (rule: AlertRule) => unwrap(api.DELETE("/api/alerts/rules/{rule_id}", { params: { path: { rule_id: rule.id } } })),
    onSuccess: () => changed("Rule deleted"),
  });
  return (
    <>
      <PageHeader
        title="Alerts"
        subtitle="Be told when negative sentiment rises or volume spikes."
        extra={
          <>
            <BrandPicker value={brands} onChange={setBrands} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")}>
              New rule
            </Button>
          </>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24}>
          <Card size="small" title="Rules">
            {rules.error ? (
              <ErrorState error={rules.error} onRetry={() => rules.refetch()} />
            ) : (
              <RuleTable rules={rules.data?.data ?? []} loading={rules.isPending} brandName={nameOf} onMute={(r) => mute.mutate(r)} onEdit={setEditing} onDelete={(r) => remove.mutate(r)} />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title="History">
            <AlertHistory brands={brands} brandName={nameOf} />
          </Card>
        </Col>
      </Row>
      <RuleForm open={editing !== undefined} rule={editing === "new" ? undefined : editing} saving={save.isPending} onClose={() => setEditing(undefined)} onSave={(values) => save.mutate(values)} />
    </>
  );
}
