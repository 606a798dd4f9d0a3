/** Live: mentions and alerts as they are indexed, pausable, filtered by brand, with a sentiment ticker. */
import { PauseOutlined, CaretRightOutlined, DeleteOutlined } from "@ant-design/icons";
import { Alert, Badge, Button, Card, Flex } from "antd";
import { useCallback, useEffect, useState } from "react";

import BrandPicker from "../../components/BrandPicker";
import PageHeader from "../../components/PageHeader";
import { EmptyState } from "../../components/PageState";
import { useBrands } from "../../hooks/useBrands";
import { ticker, type Tick } from "../../lib/ticker";
import { useLiveFeed, type LiveEvent, type LiveMention } from "../../services/live";
import type { AlertEvent } from "../../services/types";
import Ticker from "./components/Ticker";
import LiveItem from "./components/LiveItem";

const KEEP = 200; // mentions shown
const STATUS = { open: "success", connecting: "processing", reconnecting: "warning" } as const;

export default function LivePage() {
  const { nameOf } = useBrands();
  const [brands, setBrands] = useState<number[]>([]);
  const [paused, setPaused] = useState(false);
  const [shown, setShown] = useState<LiveMention[]>([]);
  const [held, setHeld] = useState<LiveMention[]>([]);
  const [alerts, setAlerts] = useState<AlertEvent[]>([]);
  const [ticks, setTicks] = useState<Tick[]>([]);
  const [now, setNow] = useState(Date.now());

  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type === "alert") {
        setAlerts((list) => [event.data, ...list].slice(0, 3));
        return;
      }
      const at = Date.now();
      setTicks((list) => [...list.filter((t) => t.at > at - 5 * 60_000), { at, sentiment: event.data.sentiment }]);
      (paused ? setHeld : setShown)((list) => [event.data, ...list].slice(0, KEEP));
    },
    [paused],
  );
  const status = useLiveFeed(brands, onEvent);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 2000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    setShown([]);
    setHeld([]);
    setTicks([]);
  }, [brands]);

  const resume = () => {
    setShown((list) => [...held, ...list].slice(0, KEEP));
    setHeld([]);
    setPaused(false);
  };
  return (
    <>
      <PageHeader
        title="Live"
        subtitle={<Badge status={STATUS[status]} text={status === "open" ? "Connected" : status === "connecting" ? "Connecting…" : "Reconnecting…"} />}
        extra={
          <>
            <BrandPicker value={brands} onChange={setBrands} />
            {paused ? (
              <Button type="primary" icon={<CaretRightOutlined />} onClick={resume}>
                Resume{held.length ? ` (${held.length} new)` : ""}
              </Button>
            ) : (
              <Button icon={<PauseOutlined />} onClick={() => setPaused(true)}>
                Pause
              </Button>
            )}
            <Button icon={<DeleteOutlined />} onClick={() => setShown([])} aria-label="Clear" />
          </>
        }
      />
      {alerts.map((alert) => (
        <Alert
          key={alert.id}
          type="error"
          showIcon
          closable
          style={{ marginBottom: 12 }}
          title={`Alert: ${alert.kind.replace("_", " ")} for ${nameOf(alert.brand_id)}`}
          description={`Fired ${new Date(alert.fired_at).toLocaleTimeString()} for the window ending ${new Date(alert.window_end).toLocaleTimeString()}`}
          onClose={() => setAlerts((list) => list.filter((a) => a.id !== alert.id))}
        />
      ))}
      <Ticker state={ticker(ticks, now)} />
      <Card size="small" styles={{ body: { paddingBlock: 0 } }}>
        {shown.length ? (
          <Flex vertical style={{ overflow: "hidden" }}>
            {shown.map((mention, index) => (
              <div key={`${mention.id}-${index}`} style={{ borderTop: index ? "1px solid rgba(128,128,128,0.15)" : undefined }}>
                <LiveItem mention={mention} brandName={nameOf} />
              </div>
            ))}
          </Flex>
        ) : (
          <div style={{ padding: 32 }}>
            <EmptyState description={paused ? "Paused: new mentions wait until you resume" : "Waiting for new mentions…"} />
          </div>
        )}
      </Card>
    </>
  );
}
