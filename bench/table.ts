export interface Row {
  measurement: string;
  result: string;
  target: string;
}

/** A Markdown table, so the output pastes straight into the README. */
export function formatTable(rows: readonly Row[]): string {
  const header: Row = { measurement: "measurement", result: "result", target: "target" };
  const all = [header, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((row) => row[key].length));
  const widths = { measurement: width("measurement"), result: width("result"), target: width("target") };
  const line = (row: Row) =>
    `| ${row.measurement.padEnd(widths.measurement)} | ${row.result.padStart(widths.result)} | ${row.target.padEnd(widths.target)} |`;
  const rule = `|${"-".repeat(widths.measurement + 2)}|${"-".repeat(widths.result + 1)}:|${"-".repeat(widths.target + 2)}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** 12345.6 → "12,346"; small values keep `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
