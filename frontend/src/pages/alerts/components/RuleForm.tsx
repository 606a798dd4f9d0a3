/** Create or edit an alert rule: its brand, kind, threshold, window, minimum count, webhook and mute. */
import { Form, InputNumber, Modal, Radio, Select, Switch, Input } from "antd";
import { useEffect } from "react";

import { useBrands } from "../../../hooks/useBrands";
import type { AlertRule, AlertRuleCreate } from "../../../services/types";

export type RuleValues = Omit<AlertRuleCreate, "webhook_url"> & { webhook_url?: string | null };

const WINDOWS = [
  { value: 300, label: "5 minutes" },
  { value: 900, label: "15 minutes" },
  { value: 3600, label: "1 hour" },
  { value: 21_600, label: "6 hours" },
  { value: 86_400, label: "1 day" },
];

export default function RuleForm({
  open,
  rule,
  saving,
  onClose,
  onSave,
}: {
  open: boolean;
  rule?: AlertRule;
  saving: boolean;
  onClose: () => void;
  onSave: (values: RuleValues) => void;
}) {
  const [form] = Form.useForm<RuleValues>();
  const { brands } = useBrands();
  const kind = Form.useWatch("kind", form);
  useEffect(() => {
    if (open) form.setFieldsValue(rule ?? { kind: "negative_share", threshold: 0.5, window_s: 300, min_count: 10, muted: false, webhook_url: null });
  }, [open, rule, form]);
  return (
    <Modal title={rule ? "Edit alert rule" : "New alert rule"} open={open} onCancel={onClose} onOk={() => form.submit()} okText={rule ? "Save" : "Create rule"} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(values) => onSave({ ...values, webhook_url: values.webhook_url || null })}>
        <Form.Item name="brand_id" label="Brand" rules={[{ required: true }]}>
          <Select disabled={!!rule} options={brands.map((b) => ({ value: b.id, label: b.name }))} placeholder="Pick a brand" />
        </Form.Item>
        <Form.Item name="kind" label="When">
          <Radio.Group
            optionType="button"
            options={[
              { value: "negative_share", label: "Negative share is high" },
              { value: "volume_spike", label: "Volume spikes" },
            ]}
            onChange={(event) => form.setFieldsValue(event.target.value === "negative_share" ? { threshold: 0.5, window_s: 300 } : { threshold: 3, window_s: 3600 })}
          />
        </Form.Item>
        <Form.Item
          name="threshold"
          label={kind === "volume_spike" ? "Standard deviations above the mean" : "Negative share above"}
          rules={[{ required: true }]}
          extra={kind === "volume_spike" ? "Compared with the 12 windows before." : "A share from 0 to 1: 0.5 is half of the labelled mentions."}
        >
          <InputNumber min={0} max={kind === "volume_spike" ? 100 : 0.99} step={kind === "volume_spike" ? 0.5 : 0.05} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="window_s" label="Window">
          <Select options={WINDOWS} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="min_count" label="At least this many mentions in the window">
          <InputNumber min={1} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="webhook_url" label="Webhook" extra="POSTed on each alert; empty uses the global webhook.">
          <Input placeholder="https://hooks.example.com/…" />
        </Form.Item>
        <Form.Item name="muted" label="Muted" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
