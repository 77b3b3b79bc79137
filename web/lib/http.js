// JSON over HTTP with the API's error shape ({"error", "message"}) turned into ApiError.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message || code || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** fetch → parsed JSON; non-2xx → ApiError; network failure → ApiError with status 0. */
export async function requestJson(fetchFn, url, { method = "GET", body, headers = {}, signal } = {}) {
  let response;
  try {
    response = await fetchFn(url, {
      method,
      headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal,
    });
  } catch (err) {
    throw new ApiError(0, "NetworkError", err?.message ?? "network error");
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const retry = Number(response.headers.get("Retry-After"));
    const error = new ApiError(response.status, data?.error ?? "HttpError", data?.message ?? response.statusText, Number.isFinite(retry) && retry > 0 ? retry : null);
    error.details = Array.isArray(data?.details) ? data.details : null; // every bad field of a 400, for forms
    throw error;
  }
  return data ?? {};
}

/** baseUrl + path + query string (null/undefined values left out). */
export function buildUrl(baseUrl, path, params = {}) {
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** A JSON client of one of our functions that signs every call with the caller's fresh Firebase ID token. */
export class BearerClient {
  /** getToken() → a fresh Firebase ID token (user.getIdToken()). */
  constructor({ baseUrl, getToken, fetch: fetchFn = globalThis.fetch.bind(globalThis) }) {
    this.baseUrl = baseUrl;
    this.getToken = getToken;
    this.fetch = fetchFn;
  }

  async call(method, path, { params, body } = {}) {
    const token = await this.getToken();
    return requestJson(this.fetch, buildUrl(this.baseUrl, path, params), { method, body, headers: { Authorization: `Bearer ${token}` } });
  }
}
