/**
 * One segment of a request path, percent-encoded. `encodeURIComponent` leaves `.` alone, so a project
 * named `..` would be sent raw (`…/projects/../auth-sessions/abc`) and a normalising proxy or server
 * would route it elsewhere; dot segments are encoded as `%2E` (RFC 3986 §6.2.2.3 keeps those).
 */
export function encodePathSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  return encoded === "." || encoded === ".." ? encoded.replaceAll(".", "%2E") : encoded;
}
