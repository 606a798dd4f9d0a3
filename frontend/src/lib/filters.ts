/** Search filters as they live in the page URL, and as the API's query parameters. */
import type { Emotion, MentionQuery, Sentiment } from "../services/types";

export interface Filters {
  q: string;
  brand: number[];
  source: string[];
  sentiment: Sentiment[];
  emotion: Emotion[];
  lang: string[];
  entity: string[];
  author: string[];
  since?: string;
  until?: string;
  last?: string;
}

export const SENTIMENTS: readonly Sentiment[] = ["positive", "neutral", "negative"];
export const EMOTIONS: readonly Emotion[] = ["joy", "optimism", "anger", "sadness"];
const LISTS = ["source", "lang", "entity", "author"] as const;

export const EMPTY_FILTERS: Filters = {
  q: "",
  brand: [],
  source: [],
  sentiment: [],
  emotion: [],
  lang: [],
  entity: [],
  author: [],
};

function oneOf<T extends string>(values: string[], allowed: readonly T[]): T[] {
  return values.filter((value): value is T => (allowed as readonly string[]).includes(value));
}

/** The filters a URL's query string holds; unknown or malformed values are dropped. */
export function filtersFromParams(params: URLSearchParams): Filters {
  const filters: Filters = {
    ...EMPTY_FILTERS,
    q: params.get("q") ?? "",
    brand: params.getAll("brand").map(Number).filter((id) => Number.isInteger(id) && id > 0),
    sentiment: oneOf(params.getAll("sentiment"), SENTIMENTS),
    emotion: oneOf(params.getAll("emotion"), EMOTIONS),
  };
  for (const name of LISTS) filters[name] = params.getAll(name).filter(Boolean);
  for (const name of ["since", "until", "last"] as const) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

/** The query string for `filters` (empty values left out), the inverse of `filtersFromParams`. */
export function filtersToParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q.trim()) params.set("q", filters.q);
  for (const name of ["brand", "sentiment", "emotion", ...LISTS] as const) {
    for (const value of filters[name]) params.append(name, String(value));
  }
  for (const name of ["since", "until", "last"] as const) {
    const value = filters[name];
    if (value) params.set(name, value);
  }
  return params;
}

/** The API query for `filters`: blank `q` and empty lists are omitted. */
export function toMentionQuery(filters: Filters): MentionQuery {
  const query: MentionQuery = {};
  if (filters.q.trim()) query.q = filters.q.trim();
  for (const name of ["brand", "sentiment", "emotion", ...LISTS] as const) {
    if (filters[name].length) Object.assign(query, { [name]: filters[name] });
  }
  if (filters.last) query.last = filters.last;
  else {
    if (filters.since) query.since = filters.since;
    if (filters.until) query.until = filters.until;
  }
  return query;
}

/** How many filters besides the text query are set (the badge on the filter button). */
export function activeFilterCount(filters: Filters): number {
  const lists = (["brand", "sentiment", "emotion", ...LISTS] as const).filter((n) => filters[n].length);
  return lists.length + (filters.since || filters.until || filters.last ? 1 : 0);
}

type ListName = "brand" | "sentiment" | "emotion" | "source" | "lang" | "entity" | "author";

/** `filters` with `value` added to the list `name`, or removed when it is there (a facet click). */
export function toggleFilter(filters: Filters, name: ListName, value: string | number): Filters {
  const list = filters[name] as (string | number)[];
  const next = list.includes(value) ? list.filter((item) => item !== value) : [...list, value];
  return { ...filters, [name]: next };
}
