import { describe, expect, it } from "vitest";

import { activeFilterCount, EMPTY_FILTERS, filtersFromParams, filtersToParams, toggleFilter, toMentionQuery } from "./filters";

describe("search filters in the URL", () => {
  it("round-trips every filter", () => {
    const filters = {
      ...EMPTY_FILTERS,
      q: 'acme -"acme brick"',
      brand: [1, 3],
      source: ["reddit"],
      sentiment: ["negative" as const],
      emotion: ["anger" as const],
      lang: ["en"],
      entity: ["ORG:Acme"],
      author: ["jane"],
      since: "2026-11-01T10:00:00.000Z",
      until: "2026-11-01T11:00:00.000Z",
    };
    expect(filtersFromParams(filtersToParams(filters))).toEqual(filters);
  });

  it("drops malformed values instead of sending them to the API", () => {
    const filters = filtersFromParams(new URLSearchParams("brand=x&brand=-2&brand=4&sentiment=angry&sentiment=positive&emotion=joy"));
    expect(filters.brand).toEqual([4]);
    expect(filters.sentiment).toEqual(["positive"]);
    expect(filters.emotion).toEqual(["joy"]);
  });

  it("leaves out blank queries and empty lists, and prefers `last` over bounds", () => {
    const query = toMentionQuery({ ...EMPTY_FILTERS, q: "  ", source: ["x"], last: "24h", since: "2026-01-01T00:00:00Z" });
    expect(query).toEqual({ source: ["x"], last: "24h" });
  });

  it("toggles a facet value on and off", () => {
    const on = toggleFilter(EMPTY_FILTERS, "entity", "ORG:Acme");
    expect(on.entity).toEqual(["ORG:Acme"]);
    expect(toggleFilter(on, "entity", "ORG:Acme").entity).toEqual([]);
  });

  it("counts active filters for the badge (the query and each list once, dates once)", () => {
    expect(activeFilterCount({ ...EMPTY_FILTERS, q: "acme", brand: [1, 2], since: "a", until: "b" })).toBe(2);
  });
});
