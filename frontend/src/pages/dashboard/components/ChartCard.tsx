/** A dashboard card around one query: skeleton while loading, error with retry, empty state, or the chart. */
import { Card, Skeleton } from "antd";
import { Suspense, type ReactNode } from "react";

import { QueryState } from "../../../components/PageState";

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

export default function ChartCard<T>({
  title,
  extra,
  query,
  isEmpty,
  children,
}: {
  title: ReactNode;
  extra?: ReactNode;
  query: QueryLike<T>;
  isEmpty: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  return (
    <Card size="small" title={title} extra={extra} style={{ height: "100%" }} data-testid="chart-card">
      <QueryState query={query} isEmpty={isEmpty} empty="No mentions in this range" rows={6}>
        {(data) => <Suspense fallback={<Skeleton active paragraph={{ rows: 6 }} />}>{children(data)}</Suspense>}
      </QueryState>
    </Card>
  );
}
