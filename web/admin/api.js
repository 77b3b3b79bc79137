// The admin's side of the HTTP contract (the `admin` function), authenticated with the signed-in
// admin's Firebase ID token (`Authorization: Bearer`); API keys are for machines, not this page.
import { ApiError, BearerClient, buildUrl } from "../lib/http.js";

export class AdminApi extends BearerClient {
  me() {
    return this.call("GET", "/api/admin/me");
  }

  /** One of the eight widgets, e.g. widget("metrics/summary", {days: 7}). */
  widget(name, params = {}) {
    return this.call("GET", `/api/widgets/${name}`, { params });
  }

  /** body: {metrics: [...], group_by, filters?, days} */
  customReport(body) {
    return this.call("POST", "/api/widgets/custom", { body });
  }

  experiments() {
    return this.call("GET", "/api/ab/experiments");
  }

  createExperiment(body) {
    return this.call("POST", "/api/ab/experiments", { body });
  }

  /** Start or stop: the state is the only field sent, so running variants are never touched. */
  setExperimentState(id, state) {
    return this.call("PATCH", `/api/ab/experiments/${encodeURIComponent(id)}`, { body: { state } });
  }

  deleteExperiment(id) {
    return this.call("DELETE", `/api/ab/experiments/${encodeURIComponent(id)}`);
  }

  experimentResults(id) {
    return this.call("GET", `/api/ab/experiments/${encodeURIComponent(id)}/results`);
  }

  keys() {
    return this.call("GET", "/api/admin/keys");
  }

  /** → the key's public fields plus `key`, the secret, shown this once. */
  createKey(name) {
    return this.call("POST", "/api/admin/keys", { body: { name } });
  }

  revokeKey(id) {
    return this.call("DELETE", `/api/admin/keys/${encodeURIComponent(id)}`);
  }

  cannedResponses() {
    return this.call("GET", "/api/admin/canned-responses");
  }

  /** Create or replace by code: body {title, text, language|null}. */
  putCannedResponse(code, body) {
    return this.call("PUT", `/api/admin/canned-responses/${encodeURIComponent(code)}`, { body });
  }

  deleteCannedResponse(code) {
    return this.call("DELETE", `/api/admin/canned-responses/${encodeURIComponent(code)}`);
  }

  knowledge() {
    return this.call("GET", "/api/admin/knowledge");
  }

  /** Uploads a pack file as it is (YAML or JSON); the server validates it like tools.tenants import. */
  async uploadKnowledge(text, fileName = "") {
    const json = /\.json$/i.test(fileName) || /^\s*[{[]/.test(text);
    const token = await this.getToken();
    let response;
    try {
      response = await this.fetch(buildUrl(this.baseUrl, "/api/admin/knowledge"), {
        method: "PUT",
        headers: { Accept: "application/json", "Content-Type": json ? "application/json" : "application/yaml", Authorization: `Bearer ${token}` },
        body: text,
      });
    } catch (err) {
      throw new ApiError(0, "NetworkError", err?.message ?? "network error");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new ApiError(response.status, data?.error ?? "HttpError", data?.message ?? response.statusText);
      error.details = data?.details ?? data?.errors ?? null;
      throw error;
    }
    return data;
  }
}
