import { terminalText } from "../util/terminal-text.js";

/**
 * A plain, left-aligned text table: columns padded to their widest cell, two spaces apart. Every
 * cell goes through terminalText: a cell can hold a string from outside, and a newline or escape
 * sequence in it must not forge a row or drive the terminal.
 */
export function formatTable(headers: readonly string[], body: readonly (readonly string[])[]): string {
  const rows = body.map((row) => row.map(terminalText));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}
