import { z } from "zod";
import type { FakeIntunedApiOptions, FakeSession } from "./types.js";

const ref = {
  workspaceId: z.string().min(1),
  projectName: z.string().min(1),
  authSessionId: z.string().min(1),
};
const step = z.strictObject({ status: z.string().min(1), forMs: z.number().nonnegative().optional() });
const script = {
  type: z.string().min(1).optional(),
  timeline: z.array(step).min(1).optional(),
  loop: z.boolean().optional(),
};
export const fakeSessionSchema = z.strictObject({ ...ref, ...script, offsetMs: z.number().optional() });

/** Many look-alike sessions without a 20,000-entry JSON file: ids are `idPrefix` + 0…count-1. */
const generated = z.strictObject({
  count: z.number().int().positive(),
  workspaceId: ref.workspaceId,
  projectName: ref.projectName,
  idPrefix: z.string().min(1),
  ...script,
  /** Offsets spread evenly over this span, so the sessions do not all change at the same instant. */
  spreadMs: z.number().nonnegative().optional(),
});

const window = {
  session: z.strictObject(ref).optional(),
  project: z.strictObject({ workspaceId: ref.workspaceId, projectName: ref.projectName }).optional(),
  count: z.number().int().positive().optional(),
  afterMs: z.number().nonnegative().optional(),
  forMs: z.number().positive().optional(),
};
export const faultSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("latency"),
    ms: z.number().nonnegative(),
    stage: z.enum(["headers", "body"]).optional(),
    ...window,
  }),
  z.strictObject({
    kind: z.literal("status"),
    status: z.number().int().min(100).max(599),
    retryAfter: z.union([z.string(), z.number()]).optional(),
    ...window,
  }),
  z.strictObject({ kind: z.literal("reset"), ...window }),
  z.strictObject({ kind: z.literal("malformedJson"), ...window }),
  z.strictObject({ kind: z.literal("wrongShape"), body: z.unknown().optional(), ...window }),
  z.strictObject({ kind: z.literal("unknownStatus"), status: z.string().min(1).optional(), ...window }),
  z.strictObject({ kind: z.literal("differentId"), id: z.string().min(1).optional(), ...window }),
]);

const config = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  apiKeys: z.array(z.string().min(1)),
  sessions: z.array(fakeSessionSchema).optional(),
  projects: z
    .array(z.strictObject({ workspaceId: ref.workspaceId, projectName: ref.projectName }))
    .optional(),
  generated: z.array(generated).optional(),
  faults: z.array(faultSchema).optional(),
  requestLogLimit: z.number().int().nonnegative().optional(),
});

/**
 * The JSON that `src/fake-api/main.ts` reads (benchmarks, scripts). Throws one Error listing every
 * problem with its path; the fake is a tool for us, so a plain Error is enough.
 */
export function parseFakeApiConfig(json: unknown): FakeIntunedApiOptions {
  const result = config.safeParse(json);
  if (!result.success) throw new Error(`invalid fake Intuned API config:\n  ${describeIssues(result.error)}`);
  const { generated: sets = [], ...options } = result.data;
  const sessions: FakeSession[] = [...(options.sessions ?? [])];
  for (const set of sets) {
    const { count, idPrefix, spreadMs = 0, ...shared } = set;
    for (let i = 0; i < count; i++) {
      sessions.push({ ...shared, authSessionId: `${idPrefix}${i}`, offsetMs: (spreadMs * i) / count });
    }
  }
  return { ...options, sessions };
}

/** Every zod issue as `path: message`, one per line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("\n  ");
}
