// The Beacon API of whatever serves the page (same origin): a node or the aggregator.
// When the user is signed in, every call carries the access token as its bearer.

const API = "api";
let bearer = null;

export const API_VERSION = "v2.1.1";

export function setBearer(token) {
  bearer = token || null;
}

export function signedIn() {
  return bearer !== null;
}

function headers(extra, anonymous) {
  const all = { Accept: "application/json", ...extra };
  if (bearer && !anonymous) all.Authorization = `Bearer ${bearer}`;
  return all;
}

async function reply(response) {
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** GET api/<path>: {status, body}; ``anonymous`` leaves the token out. */
export async function get(path, { anonymous = false, signal } = {}) {
  return reply(await fetch(`${API}/${path}`, { headers: headers({}, anonymous), signal }));
}

/** POST api/<path> with a Beacon request body: {status, body}. */
export async function post(path, payload, { anonymous = false, signal } = {}) {
  const response = await fetch(`${API}/${path}`, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }, anonymous),
    body: JSON.stringify(payload),
    signal,
  });
  return reply(response);
}

/** The POST body of a Beacon request. */
export function body(query) {
  return { meta: { apiVersion: API_VERSION }, query };
}
