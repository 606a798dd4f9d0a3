/** The hits, loading the next page on the cursor as the end scrolls into view. */
import { Flex, Skeleton, Typography } from "antd";
import { useEffect, useRef } from "react";

import type { SearchHit } from "../../../services/types";
import MentionCard from "./MentionCard";

export default function ResultList({
  hits,
  hasMore,
  loadingMore,
  loadMore,
  brandName,
  onEntity,
}: {
  hits: SearchHit[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  brandName: (id: number) => string;
  onEntity: (key: string) => void;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasMore) return;
    const observer = new IntersectionObserver(([entry]) => entry?.isIntersecting && loadMore(), { rootMargin: "400px" });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loadMore]);
  return (
    <Flex vertical gap={8}>
      {hits.map((hit) => (
        <MentionCard key={hit.mention_id} hit={hit} brandName={brandName} onEntity={onEntity} />
      ))}
      <div ref={sentinel} />
      {loadingMore && <Skeleton active paragraph={{ rows: 2 }} />}
      {!hasMore && (
        <Typography.Text type="secondary" style={{ textAlign: "center", padding: 12 }}>
          End of results
        </Typography.Text>
      )}
    </Flex>
  );
}
