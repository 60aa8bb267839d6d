import type { AuthwatchEvent } from "../events.js";
import { describeForPeople } from "./people-text.js";

export interface EmailText {
  subject: string;
  body: string;
}

const SUBJECT_MAX = 100;

/**
 * The built-in mail: a short subject ("[authwatch] shop/checkout-login is EXPIRED") and a plain-text
 * body with the headline and the facts, one per line.
 */
export function buildEmailText(event: AuthwatchEvent, now: number): EmailText {
  const { headline, facts } = describeForPeople(event, now);
  // The subject keeps the news; the details (how long before, the last error) are in the body.
  const short = headline.split(" (")[0]?.split(", last error")[0]?.split(" · ")[0] ?? headline;
  const subject = `[authwatch] ${short}`;
  const width = Math.max(...facts.map(([label]) => label.length));
  const lines = facts.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`);
  return {
    subject: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject,
    body: `${headline}\n\n${lines.join("\n")}\n\n-- \nSent by authwatch\n`,
  };
}
