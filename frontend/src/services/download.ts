/** `GET /api/export.csv` with the API key, saved as the file name the API chose. */
import { getApiKey } from "./apiKey";
import { ApiError } from "./errors";
import type { MentionQuery } from "./types";

/** The query string the API expects: repeated keys for lists. */
export function queryString(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item != null && item !== "") params.append(name, String(item));
    }
  }
  return params.toString();
}

/** Download every mention matching `query` as CSV. */
export async function exportCsv(query: MentionQuery): Promise<void> {
  const key = getApiKey();
  let response: Response;
  try {
    response = await fetch(`/api/export.csv?${queryString(query)}`, { headers: key ? { "X-API-Key": key } : {} });
  } catch (cause) {
    throw ApiError.unreachable(cause);
  }
  if (!response.ok) throw ApiError.fromResponse(response, await response.json().catch(() => null));
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "mentions.csv";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}
