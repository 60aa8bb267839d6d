import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Decoded header values by lower-case name (the last one wins). */
  headers: Record<string, string>;
  subject: string;
  body: string;
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (smtp-server) that keeps every mail it accepts. */
export interface SmtpReceiver {
  host: string;
  port: number;
  mails: ReceivedMail[];
  /** Every RCPT TO address in arrival order, refused ones included. */
  rcptTo: string[];
  /** Refuse the next mail at RCPT TO with this SMTP reply, e.g. 451 or 550. */
  refuseNext(code: number, message: string): void;
  /** Refuse this one address at RCPT TO, `times` times (then accept it), while taking the others. */
  refuseRecipient(address: string, code: number, message: string, times?: number): void;
  close(): Promise<void>;
}

export async function startSmtpReceiver(credentials?: {
  user: string;
  password: string;
}): Promise<SmtpReceiver> {
  let refusal: { code: number; message: string } | undefined;
  const refusedRecipients = new Map<string, { code: number; message: string; times: number }>();
  const receiver: SmtpReceiver = {
    host: "127.0.0.1",
    port: 0,
    mails: [],
    rcptTo: [],
    refuseNext: (code, message) => {
      refusal = { code, message };
    },
    refuseRecipient: (address, code, message, times = 1) => {
      refusedRecipients.set(address, { code, message, times });
    },
    close: async () => undefined,
  };
  const server = new SMTPServer({
    // Plain SMTP on loopback: the client must neither be offered STARTTLS nor refuse to log in without it.
    disabledCommands: credentials ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authOptional: !credentials,
    logger: false,
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      receiver.rcptTo.push(address.address);
      const refusedRecipient = refusedRecipients.get(address.address);
      if (refusedRecipient && refusedRecipient.times > 0) {
        refusedRecipient.times -= 1;
        callback(Object.assign(new Error(refusedRecipient.message), { responseCode: refusedRecipient.code }));
      } else if (refusal) {
        const { code, message } = refusal;
        refusal = undefined;
        callback(Object.assign(new Error(message), { responseCode: code }));
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        receiver.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          ...parseMail(raw),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.port = (server.server.address() as AddressInfo).port;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/** Just enough MIME for a single-part text mail: unfolded headers, encoded words, quoted-printable or base64 body. */
function parseMail(raw: string): { headers: Record<string, string>; subject: string; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const encoded = raw.slice(split + 4);
  const encoding = headers["content-transfer-encoding"]?.toLowerCase();
  const body =
    encoding === "quoted-printable"
      ? decodeQuotedPrintable(encoded)
      : encoding === "base64"
        ? Buffer.from(encoded, "base64").toString("utf8")
        : encoded;
  return { headers, subject: headers.subject ?? "", body: body.replace(/\r\n/g, "\n") };
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : decodeQuotedPrintable(text.replace(/_/g, " ")),
    );
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i] ?? "", "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}
