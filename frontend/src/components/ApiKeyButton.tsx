/** The header button that sets the X-API-Key this browser sends. */
import { KeyOutlined } from "@ant-design/icons";
import { Badge, Button, Input, Modal, Tooltip, Typography } from "antd";
import { useState } from "react";

import { setApiKey, useApiKey } from "../services/apiKey";

export default function ApiKeyButton() {
  const key = useApiKey();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(key);
  return (
    <>
      <Tooltip title={key ? "API key set" : "Set an API key (needed to make changes)"}>
        <Badge dot={!key} offset={[-6, 6]}>
          <Button
            type="text"
            aria-label="API key"
            icon={<KeyOutlined />}
            onClick={() => {
              setDraft(key);
              setOpen(true);
            }}
          />
        </Badge>
      </Tooltip>
      <Modal
        title="API key"
        open={open}
        okText="Save"
        onOk={() => {
          setApiKey(draft.trim());
          setOpen(false);
        }}
        onCancel={() => setOpen(false)}
      >
        <Typography.Paragraph type="secondary">
          Changes (brands, alert rules, replays) need a key from <code>BRANDPULSE_API_KEYS</code>. It is kept in this
          browser only.
        </Typography.Paragraph>
        <Input.Password value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="X-API-Key" autoFocus />
      </Modal>
    </>
  );
}
