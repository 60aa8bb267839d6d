import { z } from "zod";
import { envName, filePath, sinkBase, waitDuration } from "../config/schema-parts.js";
import type { Secret, SinkConfigBase } from "../config/types.js";
import { createEmailSink } from "./email-sink.js";
import type { SinkKind, SinkResolveContext } from "./sink-kind.js";
import { compileTemplate } from "./template.js";
import { WEBHOOK_TIMEOUT_MS } from "./webhook-kind.js";

const address = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/, {
  error: 'must be a mail address like "oncall@example.com" or "On call <oncall@example.com>"',
});

const schema = z.strictObject({
  type: z.literal("email"),
  ...sinkBase,
  smtp: z
    .strictObject({
      host: z.string().min(1, { error: "must be the SMTP server's host name" }),
      port: z
        .number()
        .int()
        .min(1, { error: "must be a port from 1 to 65535" })
        .max(65535, { error: "must be a port from 1 to 65535" })
        .optional()
        .meta({ description: "Default 465 when secure, else 587." }),
      secure: z.boolean().optional().meta({
        description: "TLS from the first byte (port 465). Default false: STARTTLS when the server offers it.",
      }),
      userEnv: envName.optional().meta({ description: "Variable holding the SMTP user name." }),
      passwordEnv: envName.optional().meta({ description: "Variable holding the SMTP password." }),
      passwordFile: filePath.optional().meta({ description: "File holding the SMTP password." }),
    })
    .meta({ description: "The SMTP server that relays the mail." }),
  from: address.meta({ description: "The sender." }),
  to: z
    .array(address)
    .min(1, { error: "must list at least one recipient" })
    .meta({ description: "The recipients." }),
  template: z
    .strictObject({
      subject: z.string().optional().meta({ description: "Liquid template of the subject (one line)." }),
      body: z.string().optional().meta({ description: "Liquid template of the plain-text body." }),
    })
    .optional()
    .meta({ description: "Replaces the built-in subject and/or body; Liquid over the event body." }),
  timeout: waitDuration
    .optional()
    .meta({ description: "Per SMTP step (connect, greeting, each reply). Default 10s." }),
});

type EmailEntry = z.infer<typeof schema>;

export interface EmailSinkConfig extends SinkConfigBase {
  type: "email";
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    user: Secret | undefined;
    password: Secret | undefined;
  };
  from: string;
  to: string[];
  /** Liquid sources, checked when the config was resolved; a missing part is the built-in text. */
  template: { subject?: string; body?: string } | undefined;
  timeoutMs: number;
}

/** One plain-text mail per event over SMTP (nodemailer). */
export const emailKind = {
  schema,
  resolve(raw, base, context, path) {
    const { smtp } = raw;
    if (smtp.passwordEnv !== undefined && smtp.passwordFile !== undefined) {
      context.issue(`${path}.smtp.passwordFile`, 'set "passwordEnv" or "passwordFile", not both');
    }
    const hasPassword = smtp.passwordEnv !== undefined || smtp.passwordFile !== undefined;
    if ((smtp.userEnv !== undefined) !== hasPassword) {
      context.issue(`${path}.smtp`, 'set both "userEnv" and "passwordEnv" (or "passwordFile"), or neither');
    }
    const user =
      smtp.userEnv === undefined
        ? undefined
        : context.take(context.readEnvSecret(smtp.userEnv), `${path}.smtp.userEnv`);
    const password =
      smtp.passwordFile !== undefined
        ? context.take(context.readFileSecret(smtp.passwordFile), `${path}.smtp.passwordFile`)
        : smtp.passwordEnv !== undefined
          ? context.take(context.readEnvSecret(smtp.passwordEnv), `${path}.smtp.passwordEnv`)
          : undefined;
    const secure = smtp.secure ?? false;
    return {
      ...base,
      type: "email",
      smtp: { host: smtp.host, port: smtp.port ?? (secure ? 465 : 587), secure, user, password },
      from: raw.from,
      to: [...raw.to],
      template: checkTemplates(context, raw.template, `${path}.template`),
      timeoutMs: context.durationMs(raw.timeout, `${path}.timeout`) ?? WEBHOOK_TIMEOUT_MS,
    };
  },
  fingerprint: (config) => ["email", config.smtp.host, config.smtp.port, config.from, config.to],
  secrets: (config) => [config.smtp.password, config.smtp.user].filter((s): s is Secret => s !== undefined),
  create: (config, deps) =>
    createEmailSink(config, deps.clock ? { now: () => deps.clock?.now() ?? Date.now() } : {}),
} satisfies SinkKind<EmailEntry, EmailSinkConfig>;

function checkTemplates(
  context: SinkResolveContext,
  template: EmailEntry["template"],
  path: string,
): EmailSinkConfig["template"] {
  if (template === undefined) return undefined;
  const result: NonNullable<EmailSinkConfig["template"]> = {};
  for (const part of ["subject", "body"] as const) {
    const source = template[part];
    if (source === undefined) continue;
    const compiled = compileTemplate(source);
    if (!compiled.ok) context.issue(`${path}.${part}`, compiled.problem);
    result[part] = source;
  }
  return result;
}
