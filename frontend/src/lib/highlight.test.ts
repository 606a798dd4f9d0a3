import { describe, expect, it } from "vitest";

import { highlightParts } from "./highlight";

describe("highlighted snippets", () => {
  it("splits marked and plain text", () => {
    expect(highlightParts("the <mark>Acme</mark> launch, by <mark>Acme</mark>")).toEqual([
      { text: "the ", marked: false },
      { text: "Acme", marked: true },
      { text: " launch, by ", marked: false },
      { text: "Acme", marked: true },
    ]);
  });

  it("unescapes the API's HTML encoding, so markup in a post stays text", () => {
    expect(highlightParts("&lt;script&gt; &amp; <mark>AT&amp;T</mark> &quot;ok&quot; it&#x27;s")).toEqual([
      { text: '<script> & ', marked: false },
      { text: "AT&T", marked: true },
      { text: ' "ok" it\'s', marked: false },
    ]);
  });
});
