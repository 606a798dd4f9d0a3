/** The spike hours as links to the Search page filtered to that hour. */
import { RiseOutlined } from "@ant-design/icons";
import { Flex, Tag, Typography } from "antd";
import { Link } from "react-router";

import { formatTime } from "../../../lib/format";
import { spikeSearchPath } from "../../../lib/spikes";
import type { Spike } from "../../../services/types";

export default function SpikeList({ spikes, brands }: { spikes: Spike[]; brands: number[] }) {
  if (!spikes.length) return <Typography.Text type="secondary">No spikes in this range.</Typography.Text>;
  return (
    <Flex wrap gap={6} align="center">
      <Typography.Text type="secondary">Spikes:</Typography.Text>
      {spikes.map((spike) => (
        <Link key={spike.hour} to={spikeSearchPath(spike, brands)} data-testid="spike-link">
          <Tag color="error" icon={<RiseOutlined />} style={{ cursor: "pointer" }}>
            {formatTime(spike.hour)} · {spike.mentions} mentions
          </Tag>
        </Link>
      ))}
    </Flex>
  );
}
