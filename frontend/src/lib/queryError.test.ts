import { describe, expect, it } from "vitest";

import { ApiError } from "../services/errors";
import { markPosition, queryProblem } from "./queryError";

describe("query box error mapping", () => {
  it("takes the position from a search's query_syntax error", () => {
    const error = new ApiError(400, "query_syntax", "unbalanced parenthesis at position 6", { position: 6 });
    expect(queryProblem(error)).toEqual({ message: "unbalanced parenthesis", position: 6 });
  });

  it("reads the position from a brand body's validation message", () => {
    const error = new ApiError(400, "invalid_request", "the request is not valid", [
      { field: "body.slug", message: "String should match pattern" },
      { field: "body.query", message: "Value error, expected a term at position 11" },
    ]);
    expect(queryProblem(error)).toEqual({ message: "expected a term", position: 11 });
  });

  it("ignores errors that are not about the query", () => {
    expect(queryProblem(new ApiError(400, "invalid_range", "the range is empty"))).toBeUndefined();
    expect(queryProblem(new ApiError(400, "invalid_request", "bad", [{ field: "query.size", message: "too big" }]))).toBeUndefined();
    expect(queryProblem(new Error("boom"))).toBeUndefined();
  });

  it("keeps a message without a position", () => {
    expect(queryProblem(new ApiError(400, "query_syntax", "query too long", null))).toEqual({ message: "query too long" });
  });

  it("marks the character at the position, or a space past the end", () => {
    expect(markPosition("acme OR (", 8)).toEqual(["acme OR ", "(", ""]);
    expect(markPosition("acme OR", 7)).toEqual(["acme OR", " ", ""]);
    expect(markPosition("acme", 99)).toEqual(["acme", " ", ""]);
  });
});
