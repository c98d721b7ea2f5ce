// The JSON API under /api/v1: the session cookie travels by itself; every change carries
// the session's CSRF token, every create an Idempotency-Key.

const BASE = new URL("../api/v1/", new URL(".", import.meta.url)).pathname;
let csrf = "";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    // Without the server's words (a proxy's error page), the page words it (texts.js).
    super(error.message || "");
    this.status = status;
    this.code = error.code || "error";
    this.field = error.field || null;
  }
}

// The server could not be reached (offline, or it is down).
export class NetworkError extends Error {}

export function newKey() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function call(method, path, { query, body, key } = {}) {
  const url = new URL(BASE + path.replace(/^\//, ""), location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  if (key) headers["Idempotency-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new NetworkError();
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export async function session() {
  try {
    const found = await call("GET", "session");
    csrf = found.csrf_token;
    return found;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function logIn(initData) {
  const opened = await call("POST", "session", { body: { init_data: initData } });
  csrf = opened.csrf_token;
  return opened;
}

export const logOut = () => call("DELETE", "session");
export const get = (path, query) => call("GET", path, { query });
export const post = (path, body, key) => call("POST", path, { body, key });
export const patch = (path, body) => call("PATCH", path, { body });
export const remove = (path) => call("DELETE", path);
export const apiUrl = (path) => BASE + path.replace(/^\//, "");
