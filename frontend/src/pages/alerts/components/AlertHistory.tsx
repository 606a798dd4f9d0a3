/** Alerts fired, newest first, a page at a time on the API's cursor. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, Flex, Table, Tag, Typography } from "antd";

import { EmptyState, ErrorState } from "../../../components/PageState";
import { formatTime } from "../../../lib/format";
import { api, unwrap } from "../../../services/client";

function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key.replace(/_/g, " ")}: ${typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value)}`)
    .join(" · ");
}

export default function AlertHistory({ brands, brandName }: { brands: number[]; brandName: (id: number) => string }) {
  const history = useInfiniteQuery({
    queryKey: ["alerts", brands],
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/alerts", { params: { query: { brand: brands.length ? brands : undefined, limit: 25, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  if (history.error) return <ErrorState error={history.error} onRetry={() => history.refetch()} />;
  const alerts = history.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <Flex vertical gap={12}>
      <Table
        rowKey="id"
        size="middle"
        loading={history.isPending}
        dataSource={alerts}
        pagination={false}
        scroll={{ x: 700 }}
        locale={{ emptyText: <EmptyState description="No alerts have fired" /> }}
        columns={[
          { title: "Fired", dataIndex: "fired_at", width: 140, render: formatTime },
          { title: "Brand", dataIndex: "brand_id", width: 120, render: (id: number) => <Tag color="blue">{brandName(id)}</Tag> },
          { title: "Kind", dataIndex: "kind", width: 140, render: (kind: string) => <Tag color={kind === "volume_spike" ? "orange" : "red"}>{kind.replace("_", " ")}</Tag> },
          { title: "Window", key: "window", width: 200, render: (_, a) => `${formatTime(a.window_start)} – ${formatTime(a.window_end)}` },
          { title: "Details", dataIndex: "details", render: (d: Record<string, unknown>) => <Typography.Text type="secondary">{describe(d)}</Typography.Text> },
        ]}
      />
      {history.hasNextPage && (
        <Button onClick={() => history.fetchNextPage()} loading={history.isFetchingNextPage} style={{ alignSelf: "center" }}>
          Load older alerts
        </Button>
      )}
    </Flex>
  );
}
