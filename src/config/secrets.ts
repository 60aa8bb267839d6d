/**
 * Reading secrets: from a variable, a file, or a systemd credential. Each read returns the secret or
 * why it could not be read (`Found`), never throws, and never puts a secret in a message; what a
 * missing secret means is for the caller to decide (see secret-problems.ts).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Found, Secret } from "./types.js";

/** The systemd credential (`LoadCredential=intuned-api-key:…`) read from $CREDENTIALS_DIRECTORY. */
export const API_KEY_CREDENTIAL = "intuned-api-key";
/** Where systemd puts a unit's credentials (systemd.exec(5)); files below it exist only inside the unit. */
const RUN_CREDENTIALS = /^\/run\/credentials\/[^/]+\/([^/]+)$/;

export interface SecretSources {
  env: NodeJS.ProcessEnv;
  /** The folder relative file paths resolve against (the watchlist's). */
  base: string;
  /**
   * `check --credentials-directory DIR`: the folder holding the credentials systemd would load. It
   * stands in for $CREDENTIALS_DIRECTORY, and a file under /run/credentials/<unit>/ is read from it,
   * so a service's layout can be checked from a shell.
   */
  credentialsDirectory?: string | undefined;
  readFile?: ((path: string) => string) | undefined;
}

export interface SecretReader {
  /** The variable `name`; unset or blank is a problem. */
  fromEnv(name: string): Found<Secret>;
  /** The file at `file`, relative to the watchlist's folder. */
  fromFile(file: string): Found<Secret>;
  /** The credential `name` in $CREDENTIALS_DIRECTORY; undefined when there is none (no directory or no such file). */
  fromCredential(name: string): Found<Secret> | undefined;
}

/**
 * Variable names are conventionally upper case. Anything else may be a key pasted where its name
 * belongs, and an error message must not repeat a key.
 */
const CONVENTIONAL_ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export function createSecretReader(sources: SecretSources): SecretReader {
  const readFile = sources.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const credentialsDirectory = sources.credentialsDirectory ?? envValue(sources.env, "CREDENTIALS_DIRECTORY");

  /** Undefined when the file does not exist; trailing newlines (editors, `echo`) are not part of a secret. */
  const readAt = (path: string, source: string, label: string): Found<Secret> | undefined => {
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code === "ENOENT") return undefined;
      return { ok: false, problem: `${label} cannot be read (${code ?? "unknown error"})` };
    }
    const value = text.replace(/[\r\n]+$/, "");
    if (value.trim() === "") return { ok: false, problem: `${label} is empty` };
    return { ok: true, value: { source, value }, label };
  };

  return {
    fromEnv(name) {
      const label = CONVENTIONAL_ENV_NAME.test(name)
        ? `environment variable ${name}`
        : "the environment variable named here (not repeated: it does not look like a variable name, and may be a pasted secret)";
      const raw = sources.env[name];
      if (raw === undefined) return { ok: false, problem: `${label} is not set` };
      const value = raw.replace(/[\r\n]+$/, "");
      if (value.trim() === "") return { ok: false, problem: `${label} is empty` };
      return { ok: true, value: { source: `env ${name}`, value }, label };
    },
    fromFile(file) {
      const path = resolve(sources.base, file);
      const credential = sources.credentialsDirectory === undefined ? null : RUN_CREDENTIALS.exec(path);
      if (credential?.[1] !== undefined && sources.credentialsDirectory !== undefined) {
        const stand = join(sources.credentialsDirectory, credential[1]);
        const label = `file ${path} (read from ${stand}, as the unit's LoadCredential= would provide it)`;
        return readAt(stand, `file ${path}`, label) ?? { ok: false, problem: `${stand} does not exist` };
      }
      const label = `file ${path}`;
      return readAt(path, label, label) ?? { ok: false, problem: `${label} does not exist` };
    },
    fromCredential(name) {
      if (credentialsDirectory === undefined) return undefined;
      const where =
        sources.credentialsDirectory === undefined ? "$CREDENTIALS_DIRECTORY" : credentialsDirectory;
      return readAt(join(credentialsDirectory, name), `credential ${name}`, `credential ${name} in ${where}`);
    },
  };
}

/** Set and not blank; an exported-but-empty variable counts as unset. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}
