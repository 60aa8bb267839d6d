/**
 * A URL fit for logs and error messages. Webhook URLs often are the credential (Slack puts its token in
 * the path, others in the query or userinfo), so only scheme, host and port survive; the rest becomes
 * `/…`. Keeping even the first path segment is unsafe: some services put the token there.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // An unparsable value may still be a secret: say nothing about it.
    return "[invalid URL]";
  }
  if (parsed.host === "") return `${parsed.protocol}…`;
  const hasMore = parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "";
  return `${parsed.protocol}//${parsed.host}${hasMore ? "/…" : "/"}`;
}
