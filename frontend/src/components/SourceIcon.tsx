/** The icon for a mention's source. */
import {
  FileTextOutlined,
  FireOutlined,
  GlobalOutlined,
  ReadOutlined,
  RedditOutlined,
  XOutlined,
} from "@ant-design/icons";
import { Tooltip } from "antd";

const ICONS: Record<string, React.ReactNode> = {
  news: <ReadOutlined />,
  rss: <ReadOutlined />,
  hackernews: <FireOutlined style={{ color: "#ff6600" }} />,
  reddit: <RedditOutlined style={{ color: "#ff4500" }} />,
  x: <XOutlined />,
  gdelt: <GlobalOutlined />,
  file: <FileTextOutlined />,
};

export default function SourceIcon({ source }: { source: string }) {
  return (
    <Tooltip title={source}>
      <span aria-label={source}>{ICONS[source] ?? <GlobalOutlined />}</span>
    </Tooltip>
  );
}
