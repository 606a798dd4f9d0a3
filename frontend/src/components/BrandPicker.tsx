/** Pick brands (none: every brand) from the registry. */
import { Select } from "antd";

import { useBrands } from "../hooks/useBrands";

export default function BrandPicker({
  value,
  onChange,
  placeholder = "All brands",
  style,
}: {
  value: number[];
  onChange: (brands: number[]) => void;
  placeholder?: string;
  style?: React.CSSProperties;
}) {
  const { brands, isPending } = useBrands();
  return (
    <Select
      mode="multiple"
      allowClear
      aria-label="Brands"
      loading={isPending}
      placeholder={placeholder}
      value={value}
      onChange={onChange}
      options={brands.map((brand) => ({ value: brand.id, label: brand.name }))}
      style={{ minWidth: 200, ...style }}
      maxTagCount="responsive"
    />
  );
}
