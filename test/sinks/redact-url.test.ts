import { describe, expect, it } from "vitest";
import { redactUrl } from "../../src/sinks/redact-url.js";

describe("redactUrl", () => {
  const table: Array<[string, string]> = [
    ["https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/…"],
    ["https://example.com/hook?token=XXXXSECRET", "https://example.com/…"],
    ["https://user:XXXXSECRET@example.com/", "https://example.com/"],
    ["http://127.0.0.1:8080/XXXXSECRET#frag", "http://127.0.0.1:8080/…"],
    ["https://example.com", "https://example.com/"],
    ["not a url XXXXSECRET", "[invalid URL]"],
    ["mailto:XXXXSECRET@example.com", "mailto:…"],
  ];
  for (const [url, redacted] of table) {
    it(`shows ${url} as ${redacted}`, () => {
      expect(redactUrl(url)).toBe(redacted);
    });
  }
});
