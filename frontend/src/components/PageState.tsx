/** What a page or card shows while loading, when empty, and when its request failed. */
import { Button, Card, Empty, Result, Skeleton } from "antd";
import type { ReactNode } from "react";

import { asApiError } from "../services/errors";

export function PageSkeleton() {
  return (
    <Card>
      <Skeleton active paragraph={{ rows: 8 }} />
    </Card>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { code, message, status } = asApiError(error);
  return (
    <Result
      status="warning"
      title={status === 0 ? "The API cannot be reached" : `Could not load this (${code})`}
      subTitle={message}
      extra={onRetry && <Button onClick={onRetry}>Try again</Button>}
    />
  );
}

export function EmptyState({ description, children }: { description: ReactNode; children?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description}>
      {children}
    </Empty>
  );
}

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/** Skeleton while `query` loads, the error with a retry, `empty` when `isEmpty(data)`, else `children(data)`. */
export function QueryState<T>({
  query,
  isEmpty,
  empty,
  rows = 4,
  children,
}: {
  query: QueryLike<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  rows?: number;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Skeleton active paragraph={{ rows }} />;
  if (query.error || query.data === undefined) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  if (isEmpty?.(query.data)) return <EmptyState description={empty ?? "Nothing here yet"} />;
  return <>{children(query.data)}</>;
}
