// The one way the UI talks to linli: the documented JSON API. Sessions are
// HttpOnly cookies; writes carry the CSRF token returned at login.
let csrf = sessionStorage.getItem('linli.csrf') || '';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.field = body?.error?.field;
    this.rows = body?.error?.rows;
  }
}

export function setCsrf(token) {
  csrf = token || '';
  sessionStorage.setItem('linli.csrf', csrf);
}

export async function api(method, path, body, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let data = body;
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer) && !(body instanceof File)) {
    headers['Content-Type'] = 'application/json';
    data = JSON.stringify(body);
  }
  const r = await fetch(path, { method, headers, body: data, credentials: 'same-origin' });
  if (opts.raw) {
    if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
    return r;
  }
  const json = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

// A page's first reads, started by main.js before the app is built: their
// responses are already on the way (preloaded by index.html and the server),
// so waiting for them overlaps with starting the app instead of following
// it. Each is taken by the first get() of the same path; those the first
// page did not take are dropped when it is left (dropEarly), so nothing
// stale is ever served later.
const early = new Map();

export function getEarly(paths) {
  for (const p of paths) {
    if (early.has(p)) continue;
    const r = api('GET', p);
    r.catch(() => {}); // a failure is reported to the get() that takes it
    early.set(p, r);
  }
}

export function dropEarly() {
  early.clear();
}

export function get(p) {
  const r = early.get(p);
  if (!r) return api('GET', p);
  early.delete(p);
  return r;
}
export const post = (p, b = {}) => api('POST', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p) => api('DELETE', p);

// Query string from an object, skipping empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}
