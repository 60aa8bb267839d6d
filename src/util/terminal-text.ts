/**
 * Control characters (C0, DEL, C1) and the invisible Unicode formatting characters that reorder or
 * hide text (bidi overrides and isolates, zero-width marks). A string from outside (an API status, a
 * session id, an error message) holding these could clear the screen, retitle the terminal, or
 * forge a row of a table.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\e" };

/**
 * `text` made safe to print on a terminal: every unsafe character shown as a visible escape
 * (`\n`, `\e`, `\u{7}` …) instead of acting. The one helper for every string from outside that
 * human-readable output (`status`, `wait`, `history`) prints; JSON output escapes on its own.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
}
