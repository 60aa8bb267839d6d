import { AuthwatchError, EXIT } from "./authwatch-error.js";

export interface ConfigIssue {
  /** Dotted JSON path such as `sessions[3].id`; empty for the document itself. */
  path: string;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** An invalid watchlist or environment: every issue at once, exit 2. */
export class ConfigError extends AuthwatchError {
  override name = "ConfigError";
  readonly issues: ConfigIssue[];

  constructor(source: string, issues: ConfigIssue[]) {
    const lines = issues.map(formatIssue);
    const head = issues.length === 1 ? `${source}: ${lines[0]}` : `${source}: ${issues.length} problems`;
    super("CONFIG_INVALID", issues.length === 1 ? head : [head, ...lines.map((l) => `  - ${l}`)].join("\n"), {
      exitCode: EXIT.USAGE,
    });
    this.issues = issues;
  }
}
