/** A page's title, one-line description and actions, wrapping on narrow screens. */
import { Flex, Typography } from "antd";
import type { ReactNode } from "react";

export default function PageHeader({ title, subtitle, extra }: { title: string; subtitle?: ReactNode; extra?: ReactNode }) {
  return (
    <Flex justify="space-between" align="center" wrap gap={12} style={{ marginBottom: 16 }}>
      <div>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {subtitle && <Typography.Text type="secondary">{subtitle}</Typography.Text>}
      </div>
      {extra && (
        <Flex wrap gap={8} align="center">
          {extra}
        </Flex>
      )}
    </Flex>
  );
}
