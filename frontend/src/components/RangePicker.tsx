/** A date range: presets ending now, or fixed dates. */
import { DatePicker, Flex, Grid, Segmented, Select } from "antd";
import dayjs from "dayjs";

import { PRESETS, type Range } from "../lib/range";

export default function RangePicker({ value, onChange }: { value: Range; onChange: (range: Range) => void }) {
  const wide = Grid.useBreakpoint().md ?? true;
  const preset = "last" in value ? value.last : "custom";
  const options = [...PRESETS.map(({ label, last }) => ({ label, value: last })), { label: "Custom", value: "custom" }];
  const choose = (next: string) => {
    if (next !== "custom") onChange({ last: next });
    else onChange({ since: dayjs().subtract(7, "day").startOf("day").toISOString(), until: dayjs().toISOString() });
  };
  return (
    <Flex wrap gap={8} align="center">
      {wide ? (
        <Segmented value={preset} options={options} onChange={(next) => choose(String(next))} />
      ) : (
        <Select aria-label="Date range" value={preset} options={options} onChange={choose} style={{ width: 120 }} />
      )}
      {"since" in value && (
        <DatePicker.RangePicker
          showTime={{ format: "HH:mm" }}
          format="YYYY-MM-DD HH:mm"
          allowClear={false}
          value={[dayjs(value.since), dayjs(value.until)]}
          disabledDate={(day) => day.isAfter(dayjs().endOf("day"))}
          onChange={(dates) => {
            if (dates?.[0] && dates[1]) onChange({ since: dates[0].toISOString(), until: dates[1].toISOString() });
          }}
        />
      )}
    </Flex>
  );
}
