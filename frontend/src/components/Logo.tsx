/** The product mark and name. */
import { theme, Typography } from "antd";

export default function Logo({ compact = false }: { compact?: boolean }) {
  const { token } = theme.useToken();
  return (
    <div style={{ display: "flex", alignItems: "center", gap: 10, padding: compact ? 0 : "18px 20px" }}>
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <Typography.Text strong style={{ fontSize: 17, color: token.colorText, whiteSpace: "nowrap" }}>
        BrandPulse
      </Typography.Text>
    </div>
  );
}
