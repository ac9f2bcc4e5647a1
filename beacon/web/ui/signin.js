// Sign-in: the OpenID Connect authorization code flow with PKCE (RFC 7636), for a public
// client (no secret), against the issuer the server names in static/config.json.
//
// The page never decides access: the beacon verifies the access token it is sent as a bearer.
// What the page checks is that the answer belongs to the sign-in it started (state, nonce,
// issuer, audience), so a code or token injected from elsewhere is refused. The session lives
// in sessionStorage: this tab only, gone when it closes.

const PENDING = "beacon.signIn.pending";
const SESSION = "beacon.signIn.session";

function base64url(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

function trimmed(url) {
  return String(url || "").replace(/\/+$/, "");
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

function claimsOf(jwt) {
  const part = String(jwt || "").split(".")[1];
  if (!part) return null;
  try {
    const bytes = Uint8Array.from(atob(part.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

export async function loadConfig() {
  const response = await fetch("static/config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) return null;
  const body = await response.json().catch(() => null);
  return (body && body.signIn) || null;
}

async function discover(config) {
  const where = `${trimmed(config.issuer)}/.well-known/openid-configuration`;
  let response;
  try {
    response = await fetch(where, { headers: { Accept: "application/json" } });
  } catch (error) {
    throw new Error(`the issuer ${config.issuer} cannot be reached (${error.message})`);
  }
  const doc = response.ok ? await response.json().catch(() => null) : null;
  if (!doc) throw new Error(`the issuer's discovery document ${where} answered ${response.status}`);
  if (trimmed(doc.issuer) !== trimmed(config.issuer)) {
    throw new Error(`the discovery document names issuer ${doc.issuer}, not ${config.issuer}`);
  }
  const origin = new URL(config.issuer).origin;
  for (const key of ["token_endpoint", "userinfo_endpoint"]) {
    if (doc[key] && new URL(doc[key]).origin !== origin) {
      throw new Error(`the issuer's ${key} ${doc[key]} is on another origin than the issuer; the page may call ${origin} only`);
    }
  }
  if (!doc.authorization_endpoint || !doc.token_endpoint) throw new Error("the issuer publishes no authorization or token endpoint");
  const methods = doc.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes("S256")) throw new Error("the issuer does not support PKCE with S256");
  return doc;
}

/** Go to the issuer's login page; it comes back to this page with a code. */
export async function startSignIn(config) {
  if (!window.isSecureContext || !crypto.subtle) throw new Error("sign-in needs the page over https");
  const doc = await discover(config);
  const pending = { state: random(), nonce: random(), verifier: random(), redirectUri: redirectUri(), doc };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(doc.authorization_endpoint);
  const params = {
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: pending.redirectUri,
    scope: (config.scopes || ["openid"]).join(" "),
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  location.assign(url.toString());
}

async function userOf(doc, accessToken, idClaims) {
  const fallback = idClaims || {};
  if (!doc.userinfo_endpoint) return fallback;
  try {
    const response = await fetch(doc.userinfo_endpoint, { headers: { Accept: "application/json", Authorization: `Bearer ${accessToken}` } });
    const info = response.ok ? await response.json() : null;
    if (info && (!fallback.sub || info.sub === fallback.sub)) return { ...fallback, ...info };
  } catch {
    // the id token's claims will do
  }
  return fallback;
}

function save(session) {
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

/** Back from the issuer (?code=...&state=... or ?error=...): the session, or null if this
 * load is not a sign-in answer. Throws with a message the page shows. */
export async function finishSignIn(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("state") || !(params.has("code") || params.has("error"))) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", `${location.pathname}${location.hash}`);
  if (!pending || params.get("state") !== pending.state) {
    throw new Error("sign-in refused: the answer does not belong to a sign-in started here (state)");
  }
  if (params.has("error")) {
    const why = params.get("error_description");
    throw new Error(`sign-in did not complete: ${params.get("error")}${why ? ` (${why})` : ""}`);
  }
  if (params.has("iss") && trimmed(params.get("iss")) !== trimmed(config.issuer)) {
    throw new Error(`sign-in refused: the answer comes from ${params.get("iss")}, not ${config.issuer}`);
  }
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: params.get("code"),
    redirect_uri: pending.redirectUri,
    client_id: config.clientId,
    code_verifier: pending.verifier,
  });
  let tokens;
  try {
    const response = await fetch(pending.doc.token_endpoint, { method: "POST", body: form, headers: { Accept: "application/json" } });
    tokens = await response.json().catch(() => null);
    if (!response.ok || !tokens || !tokens.access_token) {
      const why = tokens && (tokens.error_description || tokens.error);
      throw new Error(`the issuer refused the code: ${response.status}${why ? ` ${why}` : ""}`);
    }
  } catch (error) {
    throw new Error(`sign-in did not complete: ${error.message}`);
  }
  let idClaims = null;
  if (tokens.id_token) {
    idClaims = claimsOf(tokens.id_token);
    const audiences = idClaims ? [].concat(idClaims.aud) : [];
    if (!idClaims || idClaims.nonce !== pending.nonce || trimmed(idClaims.iss) !== trimmed(config.issuer) || !audiences.includes(config.clientId)) {
      throw new Error("sign-in refused: the id token is not for this sign-in (nonce, issuer or audience)");
    }
  }
  const user = await userOf(pending.doc, tokens.access_token, idClaims);
  const lifetime = Number(tokens.expires_in);
  return save({
    issuer: config.issuer,
    accessToken: tokens.access_token,
    expiresAt: Number.isFinite(lifetime) && lifetime > 0 ? Date.now() + lifetime * 1000 : null,
    user: { sub: user.sub, name: user.name, email: user.email, username: user.preferred_username },
  });
}

/** The session of an earlier sign-in in this tab, unless it expired or the issuer changed. */
export function restoreSession(config) {
  const session = JSON.parse(sessionStorage.getItem(SESSION) || "null");
  if (!session || session.issuer !== config.issuer || (session.expiresAt && session.expiresAt <= Date.now())) {
    sessionStorage.removeItem(SESSION);
    return null;
  }
  return session;
}

export function endSession() {
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(PENDING);
}

/** "Rosalind Franklin (rosalind@example.org)" */
export function whoIs(session) {
  const u = session.user || {};
  const name = u.name || u.username || u.email || u.sub || "someone";
  return u.email && u.email !== name ? `${name} (${u.email})` : name;
}
