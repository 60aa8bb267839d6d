import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthwatchError } from "../../src/errors/authwatch-error.js";
import { openStore } from "../../src/store/store.js";
import { tempDir } from "./fixtures.js";

function openError(path: string): AuthwatchError {
  try {
    openStore(path).close();
  } catch (error) {
    if (error instanceof AuthwatchError) return error;
    throw error;
  }
  throw new Error(`openStore(${path}) did not throw`);
}

describe("opening a state file that cannot serve", () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => {
    chmodSync(temp.dir, 0o700);
    temp.cleanup();
  });

  it("reports a file that is not a database as STORE_ERROR naming the path and what to do", () => {
    const path = temp.file("garbage.db");
    writeFileSync(path, "this is a text file, not a database\n".repeat(200));
    const error = openError(path);
    expect(error.code).toBe("STORE_ERROR");
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not an authwatch database.*move it aside/);
  });

  it("reports a path that is a folder as STORE_ERROR", () => {
    const path = temp.file("a-folder");
    mkdirSync(path);
    const error = openError(path);
    expect(error.code).toBe("STORE_ERROR");
    expect(error.message).toContain(path);
  });

  it("reports a parent that is a file as STORE_ERROR", () => {
    writeFileSync(temp.file("file"), "x");
    const path = join(temp.file("file"), "state.db");
    const error = openError(path);
    expect(error.code).toBe("STORE_ERROR");
    expect(error.message).toContain(path);
  });

  // root may write anywhere, so permissions can only be exercised as another user.
  it.skipIf(process.getuid?.() === 0)(
    "reports a read-only folder as STORE_ERROR saying it cannot be written",
    () => {
      const path = temp.file();
      openStore(path).close();
      chmodSync(temp.dir, 0o500);
      chmodSync(path, 0o400);
      const error = openError(path);
      expect(error.code).toBe("STORE_ERROR");
      expect(error.message).toContain(path);
      expect(error.message).toMatch(/cannot be written/);
    },
  );
});
