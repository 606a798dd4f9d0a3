/** The brand registry, shared by every page that names or picks brands. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { api, unwrap } from "../services/client";
import type { Brand } from "../services/types";

export const BRANDS_KEY = ["brands"] as const;

export function useBrands() {
  const query = useQuery({ queryKey: BRANDS_KEY, queryFn: () => unwrap(api.GET("/api/brands")) });
  const brands = query.data?.data;
  const byId = useMemo(() => new Map((brands ?? []).map((brand) => [brand.id, brand])), [brands]);
  return { ...query, brands: brands ?? ([] as Brand[]), byId, nameOf: (id: number) => byId.get(id)?.name ?? `#${id}` };
}
