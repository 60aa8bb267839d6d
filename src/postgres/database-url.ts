/** True for the URLs node-postgres takes: postgres:// or postgresql://. */
export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text.trim());
}

/** The URL without its password (and without query parameters, which may carry one), for logs. */
export function redactDatabaseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = "***";
    url.search = "";
    return url.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

/**
 * Removes the URL's password (and the URL itself) from a message, e.g. a driver error that quotes
 * its connection string. Used on every error that may be logged or printed.
 */
export function scrubDatabaseUrl(message: string, url: string): string {
  let result = message.split(url).join(redactDatabaseUrl(url));
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password.length > 0) result = result.split(password).join("***");
  } catch {
    // Not a URL: nothing more to hide than the text itself.
  }
  return result;
}
