/** Pipeline: stream lengths, group lag, dead letters with replay, the dedupe filter, last fetch per source. */
import { ReloadOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Descriptions, Flex, List, Row, Typography } from "antd";

import PageHeader from "../../components/PageHeader";
import { QueryState } from "../../components/PageState";
import SourceIcon from "../../components/SourceIcon";
import { formatAgo, formatCount, formatTime } from "../../lib/format";
import { api, unwrap } from "../../services/client";
import DeadLetters from "./components/DeadLetters";
import Streams from "./components/Streams";

const REFRESH_MS = 5000;
const KEY = ["ingestion"];

export default function PipelinePage() {
  const client = useQueryClient();
  const { message } = App.useApp();
  const status = useQuery({
    queryKey: KEY,
    queryFn: () => unwrap(api.GET("/api/ingestion", { params: { query: { latest: 20 } } })),
    refetchInterval: REFRESH_MS,
  });
  const replay = useMutation({
    mutationFn: (ids: string[] | "all") => unwrap(api.POST("/api/ingestion/dead-letters/replay", { body: { ids: ids === "all" ? [] : ids, limit: 100 } })),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: KEY });
      const skipped = result.skipped.length ? `, ${result.skipped.length} skipped (${result.skipped[0]?.reason})` : "";
      void message.success(`Replayed ${result.replayed.length}${skipped}; ${result.remaining} remaining`);
    },
  });
  return (
    <>
      <PageHeader
        title="Pipeline"
        subtitle={status.dataUpdatedAt ? `Updated ${formatTime(new Date(status.dataUpdatedAt).toISOString())}, every ${REFRESH_MS / 1000} s` : "Streams, consumer groups and dead letters"}
        extra={<Button icon={<ReloadOutlined />} onClick={() => status.refetch()} loading={status.isFetching} aria-label="Refresh" />}
      />
      <QueryState query={status} rows={10}>
        {(data) => (
          <Row gutter={[16, 16]}>
            <Col xs={24}>
              <Streams streams={data.streams} />
            </Col>
            <Col xs={24}>
              <DeadLetters status={data.dead_letters} replaying={replay.isPending ? replay.variables : undefined} onReplay={(ids) => replay.mutate(ids)} />
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title="Sources: last fetch">
                <List
                  size="small"
                  dataSource={data.sources}
                  locale={{ emptyText: "No source has been polled yet (`brandpulse ingest run`)" }}
                  renderItem={(source) => (
                    <List.Item>
                      <Flex justify="space-between" style={{ width: "100%" }}>
                        <span>
                          <SourceIcon source={source.source} /> <span style={{ marginInlineStart: 8 }}>{source.source}</span>
                        </span>
                        <Typography.Text type="secondary">{formatAgo(source.last_fetch_at)}</Typography.Text>
                      </Flex>
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title="Dedupe filter">
                {data.bloom ? (
                  <Descriptions size="small" column={1}>
                    <Descriptions.Item label="Key">
                      <code>{data.bloom.key}</code>
                    </Descriptions.Item>
                    <Descriptions.Item label="Items">{formatCount(data.bloom.items_inserted)} of {formatCount(data.bloom.capacity)}</Descriptions.Item>
                    <Descriptions.Item label="Memory">{(data.bloom.size_bytes / 1048576).toFixed(1)} MiB in {data.bloom.filters} filter(s)</Descriptions.Item>
                  </Descriptions>
                ) : (
                  <Typography.Text type="secondary">Not created yet: ingest creates it with the first mention.</Typography.Text>
                )}
              </Card>
            </Col>
          </Row>
        )}
      </QueryState>
    </>
  );
}
