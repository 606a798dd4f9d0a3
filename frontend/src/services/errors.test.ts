import { afterEach, describe, expect, it, vi } from "vitest";

import { ApiError, reportError, setErrorReporter } from "./errors";
import { liveUrl } from "./live";
import { queryString } from "./download";

describe("the request-error handler", () => {
  afterEach(() => setErrorReporter(undefined));

  it("reads the API's error model", () => {
    const body = { error: { code: "conflict", message: "a brand with slug 'acme' exists already", details: null } };
    const error = ApiError.fromResponse(new Response(null, { status: 409 }), body);
    expect([error.status, error.code, error.message]).toEqual([409, "conflict", "a brand with slug 'acme' exists already"]);
  });

  it("falls back to the HTTP status for bodies in another shape", () => {
    const error = ApiError.fromResponse(new Response(null, { status: 502, statusText: "Bad Gateway" }), "<html>");
    expect([error.code, error.message]).toEqual(["http_502", "Bad Gateway"]);
  });

  it("reports every error once, except those a page handles itself", () => {
    const seen = vi.fn();
    setErrorReporter(seen);
    reportError(new ApiError(500, "internal", "boom"));
    reportError(new ApiError(400, "query_syntax", "bad"), { silent: true });
    reportError(new TypeError("Failed to fetch"));
    expect(seen.mock.calls.map(([error]) => (error as ApiError).code)).toEqual(["internal", "client_error"]);
  });
});

describe("request URLs", () => {
  it("repeats list parameters as the API expects", () => {
    expect(queryString({ q: "acme", brand: [1, 2], source: [], last: "24h", since: undefined })).toBe("q=acme&brand=1&brand=2&last=24h");
  });

  it("builds the live feed URL on the page's host, with the key browsers cannot send as a header", () => {
    expect(liveUrl("https://bp.example.com", [1, 3], "k")).toBe("wss://bp.example.com/api/live?brand=1&brand=3&api_key=k");
    expect(liveUrl("http://127.0.0.1:8000", [], "")).toBe("ws://127.0.0.1:8000/api/live");
  });
});
