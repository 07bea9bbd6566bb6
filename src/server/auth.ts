/**
 * The UI server's guards, as the best local dev servers do it: a random token (compared in
 * constant time) on every API call, the Host header checked against the address we bound (no DNS
 * rebinding), and Origin / Sec-Fetch-Site checked (no cross-site requests).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Constant time in the secret's content (both sides are hashed to one length first). */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

export interface Origin {
  /** The host and port the server answers as (`127.0.0.1:5173`). */
  readonly hosts: readonly string[];
  readonly token: string;
}

/** `host:port` values a request may name: the bound address, and `localhost` for loopback. */
export function allowedHosts(host: string, port: number): string[] {
  const bracket = host.includes(":") ? `[${host}]` : host;
  const hosts = [`${bracket}:${port}`];
  if (host === "127.0.0.1" || host === "::1") hosts.push(`localhost:${port}`);
  return hosts;
}

function deny(status: 401 | 403, code: string, message: string): Response {
  return Response.json(
    { error: { code, message } },
    { status, headers: { "cache-control": "no-store", "content-type": "application/json" } },
  );
}

/** Host and Origin first (every route), then the token (every route but the static fallbacks). */
export function guard(origin: Origin): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    if (!origin.hosts.includes(host)) return deny(403, "DAGTEST_UI_HOST", `Host ${host} is not this server.`);
    const from = c.req.header("origin");
    if (from !== undefined && !origin.hosts.some((h) => from === `http://${h}`))
      return deny(403, "DAGTEST_UI_ORIGIN", `Requests from ${from} are not allowed.`);
    if (c.req.header("sec-fetch-site") === "cross-site")
      return deny(403, "DAGTEST_UI_ORIGIN", "Cross-site requests are not allowed.");
    // In the URL only for GET (the page, and EventSource, which cannot set headers); an action
    // needs the header, which no cross-site form or image can send.
    const given =
      c.req.header("x-dagtest-token") || (c.req.method === "GET" ? c.req.query("token") : undefined);
    if (!tokenMatches(given, origin.token))
      return deny(401, "DAGTEST_UI_TOKEN", "A valid token is needed: open the URL `dagtest ui` printed.");
    await next();
    c.header("cache-control", "no-store");
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    c.header("x-frame-options", "DENY");
  };
}
