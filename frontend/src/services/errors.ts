/** One error type for every failed request, and the one handler that reports them. */
import type { ErrorBody } from "./types";

/** A request that failed: the HTTP status (0: the API was not reached) and the API's error model. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The error a response carried: the API's `{"error": {...}}`, or the bare HTTP status. */
  static fromResponse(response: Response, body: unknown): ApiError {
    const error = (body as { error?: Partial<ErrorBody> } | null | undefined)?.error;
    if (error?.code && error.message) return new ApiError(response.status, error.code, error.message, error.details);
    return new ApiError(response.status, `http_${response.status}`, response.statusText || "the request failed");
  }

  /** An error for a request that never got an answer. */
  static unreachable(cause: unknown): ApiError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ApiError(0, "unreachable", `cannot reach the API (${reason})`);
  }
}

/** Any thrown value as an ApiError (programming errors keep their message). */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, "client_error", error instanceof Error ? error.message : String(error));
}

type Reporter = (error: ApiError) => void;
let reporter: Reporter | undefined;

/** Install the function that shows request errors (the app shell does, once its notification API exists). */
export function setErrorReporter(next: Reporter | undefined): void {
  reporter = next;
}

/** Report a failed request, unless the caller handles it itself (`meta.silent`, e.g. the query box). */
export function reportError(error: unknown, meta?: Record<string, unknown>): void {
  if (meta?.silent) return;
  reporter?.(asApiError(error));
}
