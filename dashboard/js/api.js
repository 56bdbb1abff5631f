// The REST API, with the signed-in user's token; errors become ApiError with the API's own words.
import { current, loadConfig, logout } from "./auth.js";

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details; // the rest of the API's error object (a 409 conflict carries `current`)
  }
}

export async function api(method, path, body, extraHeaders = {}) {
  const { apiBase } = await loadConfig();
  const session = current();
  if (!session) {
    logout();
    throw new ApiError(401, "unauthorized", "Your session ended: please sign in again.");
  }
  let response;
  try {
    response = await fetch(`${apiBase || ""}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${session.idToken}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...extraHeaders,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection.");
  }
  const data = await response.json().catch(() => null);
  if (response.status === 401) logout();
  if (!response.ok) {
    const error = data && data.error;
    throw new ApiError(response.status, error?.code || "error", error?.message || `Request failed (${response.status}).`, error || {});
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body, headers) => api("POST", path, body ?? {}, headers);
export const put = (path, body) => api("PUT", path, body);
export const del = (path) => api("DELETE", path);
