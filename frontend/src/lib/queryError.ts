/** Where a query is wrong: the API's syntax errors mapped to a message and a character position. */
import { ApiError } from "../services/errors";

export interface QueryProblem {
  message: string;
  /** 0-based character offset into the query, when the API named one. */
  position?: number;
}

const AT_POSITION = /\s*at position (\d+)\s*$/;

function split(text: string): QueryProblem {
  const match = AT_POSITION.exec(text);
  if (!match) return { message: text };
  return { message: text.slice(0, match.index), position: Number(match[1]) };
}

/**
 * The problem with a query, from an error the API gave for it: `query_syntax` (search, analytics, with
 * `details.position`) or `invalid_request` about a `query`/`q` field (the brand endpoints validate the
 * body). Any other error is not about the query: undefined.
 */
export function queryProblem(error: unknown): QueryProblem | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === "query_syntax") {
    const { message } = split(error.message);
    const position = (error.details as { position?: unknown } | null)?.position;
    return typeof position === "number" ? { message, position } : split(error.message);
  }
  if (error.code === "invalid_request" && Array.isArray(error.details)) {
    const problem = (error.details as { field?: string; message?: string }[]).find((item) =>
      /(^|\.)(q|query)$/.test(item.field ?? ""),
    );
    if (problem?.message) return split(problem.message.replace(/^Value error, /, ""));
  }
  return undefined;
}

/** The query split around the error position, for underlining the character where it went wrong. */
export function markPosition(query: string, position: number): [string, string, string] {
  const at = Math.max(0, Math.min(position, query.length));
  return [query.slice(0, at), query.slice(at, at + 1) || " ", query.slice(at + 1)];
}
