import { describe, expect, it } from "vitest";
import { parseWatchlist } from "../../src/config/parse.js";
import { configError } from "../helpers/config-error.js";
import { resolveSinks } from "./fixtures.js";

const mail = (smtp: Record<string, unknown>) => ({
  name: "mail",
  type: "email",
  smtp: { host: "smtp.example.com", ...smtp },
  from: "authwatch <authwatch@example.com>",
  to: ["oncall@example.com"],
});

describe("an email sink in the watchlist", () => {
  it("takes port 587 with STARTTLS by default, 465 when secure, and its credentials from variables", () => {
    const [plain, secure] = resolveSinks(
      [
        mail({ userEnv: "SMTP_USER", passwordEnv: "SMTP_PASSWORD" }),
        { ...mail({ secure: true }), name: "tls" },
      ],
      { SMTP_USER: "authwatch", SMTP_PASSWORD: "pw" },
    );
    expect(plain).toMatchObject({
      smtp: {
        port: 587,
        secure: false,
        user: { value: "authwatch" },
        password: { source: "env SMTP_PASSWORD", value: "pw" },
      },
    });
    expect(secure).toMatchObject({ smtp: { port: 465, secure: true, user: undefined, password: undefined } });
  });

  it("is a config error to give a user without a password", () => {
    const error = configError(() => resolveSinks([mail({ userEnv: "SMTP_USER" })], { SMTP_USER: "u" }));
    expect(error.issues).toEqual([
      {
        path: "sinks[0].smtp",
        message: 'set both "userEnv" and "passwordEnv" (or "passwordFile"), or neither',
      },
    ]);
  });

  it("refuses a recipient that is not a mail address, with its path", () => {
    const parsed = parseWatchlist({ sinks: [{ ...mail({}), to: ["on call"] }] });
    expect(parsed.ok ? [] : parsed.issues.map((issue) => issue.path)).toEqual(["sinks[0].to[0]"]);
  });

  it("is a config error naming the template part that does not parse", () => {
    const error = configError(() =>
      resolveSinks([{ ...mail({}), template: { subject: "{{ ok }}", body: "{% for %}" } }]),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(["sinks[0].template.body"]);
  });
});
