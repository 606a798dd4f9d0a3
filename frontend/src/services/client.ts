/** The typed API client (generated types from `openapi.json`) and the helper that turns failures into ApiError. */
import createClient, { type Middleware } from "openapi-fetch";

import { getApiKey } from "./apiKey";
import { ApiError } from "./errors";
import type { paths } from "./schema";

const withApiKey: Middleware = {
  onRequest({ request }) {
    const key = getApiKey();
    if (key) request.headers.set("X-API-Key", key);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "" });
api.use(withApiKey);

interface Result<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; an ApiError otherwise (what TanStack Query hands the error handler). */
export async function unwrap<D>(call: Promise<Result<D>>): Promise<D> {
  let result: Result<D>;
  try {
    result = await call;
  } catch (cause) {
    throw ApiError.unreachable(cause);
  }
  if (!result.response.ok) throw ApiError.fromResponse(result.response, result.error);
  return result.data as D;
}
