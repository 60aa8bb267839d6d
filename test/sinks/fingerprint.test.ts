import { describe, expect, it } from "vitest";
import { sinkFingerprint } from "../../src/sinks/fingerprint.js";
import { commandConfig, consoleConfig, webhookConfig } from "./fixtures.js";

const URL = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";

describe("sinkFingerprint", () => {
  it("is the same for the same delivery config", () => {
    expect(sinkFingerprint(webhookConfig(URL))).toBe(sinkFingerprint(webhookConfig(URL)));
  });

  it("changes when the URL, the format or the type changes", () => {
    const base = sinkFingerprint(webhookConfig(URL));
    expect(sinkFingerprint(webhookConfig(`${URL}2`))).not.toBe(base);
    expect(sinkFingerprint(webhookConfig(URL, { format: "slack" }))).not.toBe(base);
    expect(sinkFingerprint(consoleConfig())).not.toBe(base);
  });

  it("changes when the command's argv changes, even by how it is split", () => {
    const base = sinkFingerprint(commandConfig(["/bin/reauth", "a b"]));
    expect(sinkFingerprint(commandConfig(["/bin/reauth", "a", "b"]))).not.toBe(base);
    expect(sinkFingerprint(commandConfig(["/bin/reauth", "a b"]))).toBe(base);
  });

  it("ignores filters, timeouts, the name and the secret", () => {
    const base = sinkFingerprint(webhookConfig(URL));
    const changed = webhookConfig(URL, {
      name: "renamed",
      events: ["authsession.expired"],
      match: { project: "p" },
      timeoutMs: 1,
      secret: new Uint8Array([1, 2, 3]),
    });
    expect(sinkFingerprint(changed)).toBe(base);
  });

  it("does not reveal the URL", () => {
    const fingerprint = sinkFingerprint(webhookConfig(URL));
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint).not.toContain("XXXXSECRET");
  });
});
