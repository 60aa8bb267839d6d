import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSilence } from "../../src/commands/silence.js";
import { STATUS_PAGE_HTML } from "../../src/http/status-page.js";
import { seedHistory } from "../helpers/seed-history.js";
import { STATUS_KEY, STATUS_WORKSPACE, startStatusDaemon } from "../helpers/status-daemon.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Screenshots the tests take, kept for people to look at (gitignored). */
const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");

if (!HAVE_CHROMIUM) {
  console.warn(`status page browser tests SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);
}

let browser: Browser;
beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

/** A page that records every URL it requests, so a test can prove nothing leaves 127.0.0.1. */
async function openPage(url: string, options: { width?: number; height?: number; dark?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 720 },
    colorScheme: options.dark ? "dark" : "light",
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(url);
  return { page, requests, close: () => context.close() };
}

/**
 * Run in the page on a row: which of its marks and its session name are not wholly on screen — outside the
 * window, cut off by a box that clips (overflow), or shortened by an ellipsis. Plain JS: tsconfig has no DOM.
 */
const HIDDEN_PARTS = `(row) => {
  const out = [];
  for (const target of row.querySelectorAll(".mark, .nm")) {
    const box = target.getBoundingClientRect(), name = target.textContent;
    if (box.width === 0 || box.left < 0 || box.right > innerWidth) out.push(name + " off screen");
    for (let up = target.parentElement; up && up !== row.parentElement; up = up.parentElement) {
      if (getComputedStyle(up).overflow === "visible") continue;
      const clip = up.getBoundingClientRect();
      if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5 || box.top < clip.top - 0.5 || box.bottom > clip.bottom + 0.5)
        out.push(name + " clipped");
    }
    const text = document.createRange();
    text.selectNodeContents(target);
    if (text.getBoundingClientRect().width > box.width + 0.5) out.push(name + " truncated");
  }
  return out;
}`;

const rowOf = (page: Page, id: string) => page.locator(`#rows .row[data-key$="/${id}"]`);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.skipIf(!HAVE_CHROMIUM)("the status page in Chromium", () => {
  it("shows each session's status in words and shapes, follows a change live without a reload, filters, and draws the stored timeline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-page-"));
    const ref = (projectName: string, authSessionId: string) => ({
      workspaceId: STATUS_WORKSPACE,
      projectName,
      authSessionId,
    });
    seedHistory(join(dir, "state.db"), [
      {
        ref: ref("crm", "crm-sso"),
        steps: [
          { status: "READY", agoMs: 6 * DAY },
          { status: "EXPIRED", agoMs: 3 * DAY },
          { status: "READY", agoMs: 2 * DAY },
        ],
      },
    ]);
    const { api, url } = await startStatusDaemon({
      dir,
      sessions: [
        { project: "billing", id: "billing-login", status: "READY", labels: { team: "billing" } },
        { project: "crm", id: "crm-sso", status: "READY" },
        { project: "crm", id: "crm-api", status: "PENDING" },
        { project: "ops", id: "ops-backup", status: "NOT_FOUND" },
      ],
      watchlist: {
        sinks: [
          { name: "log", type: "console" },
          { name: "oncall", type: "webhook", url: "http://127.0.0.1:9/hook", retry: { window: "1s" } },
        ],
      },
    });
    const { page, requests, close } = await openPage(url);
    try {
      await expect.poll(() => page.locator("#rows .row").count(), { timeout: 15_000 }).toBe(4);
      await expect
        .poll(() => rowOf(page, "crm-api").textContent(), { timeout: 10_000 })
        .toContain("◆ PENDING");
      expect(await rowOf(page, "billing-login").textContent()).toContain("● READY");
      expect(await rowOf(page, "ops-backup").textContent()).toContain("■ NOT_FOUND");
      expect(await rowOf(page, "billing-login").textContent()).toContain("team=billing");
      // The stored history: READY, EXPIRED, READY over the last days, drawn as three segments.
      expect(await rowOf(page, "crm-sso").locator(".tl span").count()).toBe(3);
      expect(await rowOf(page, "crm-sso").locator(".tl span.b-EXPIRED").count()).toBe(1);
      // Seen since 6 of the 7 days: nothing unknown worth a note. A session first seen now has its bar say so.
      expect(await rowOf(page, "crm-sso").locator(".tl i").count()).toBe(0);
      expect(await rowOf(page, "crm-api").locator(".tl i").textContent()).toMatch(/^watched since /);
      expect(await page.locator("#sinks [data-sink=oncall]").textContent()).toMatch(/oncall webhook · /);

      // A change at the API shows up on the open page: same document, new status, one more segment.
      await page.evaluate("window.marker = 42");
      api.setStatus(ref("crm", "crm-sso"), "EXPIRED");
      await expect
        .poll(() => rowOf(page, "crm-sso").textContent(), { timeout: 10_000 })
        .toContain("▲ EXPIRED");
      expect(await page.evaluate("window.marker")).toBe(42);
      expect(await rowOf(page, "crm-sso").locator(".tl span").count()).toBe(4);
      // Worst first: the expired session is now the top row.
      expect(await page.locator("#rows .row").first().getAttribute("data-key")).toMatch(/crm-sso$/);
      await page.screenshot({ path: join(ARTIFACTS, "status-page.png"), fullPage: true });

      await page.fill("#filter", "crm");
      await expect.poll(() => page.locator("#rows .row").count()).toBe(2);
      await page.fill("#filter", "team=billing");
      await expect.poll(() => page.locator("#rows .row").count()).toBe(1);
      await page.fill("#filter", "");
      await page.locator("#counts button[data-c=PENDING]").click();
      await expect.poll(() => page.locator("#rows .row").count()).toBe(1);
      expect(await page.locator("#rows .row").first().getAttribute("data-key")).toMatch(/crm-api$/);

      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((address) => !address.startsWith("http://127.0.0.1:"))).toEqual([]);
    } finally {
      await close();
    }
  });

  it("marks a session overdue as soon as its rule fires, without a reload", async () => {
    const { url } = await startStatusDaemon({
      sessions: [
        { project: "crm", id: "crm-stuck", status: "PENDING" },
        { project: "crm", id: "crm-fine", status: "READY" },
      ],
      watchlist: { alerts: [{ name: "stuck-pending", status: "PENDING", for: "2s" }] },
    });
    const { page, close } = await openPage(url);
    try {
      await expect
        .poll(() => rowOf(page, "crm-stuck").textContent(), { timeout: 15_000 })
        .toContain("◆ PENDING");
      await expect
        .poll(() => rowOf(page, "crm-stuck").textContent(), { timeout: 15_000 })
        .toContain("overdue: stuck-pending");
      expect(await rowOf(page, "crm-fine").textContent()).not.toContain("overdue");
    } finally {
      await close();
    }
  });

  it("keeps a session's overdue and silenced marks in view at 1280 px when its labels are long, truncating the labels instead", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-page-marks-"));
    const labels = {
      team: "growth",
      owner: "checkout-platform-oncall",
      region: "eu-west-1",
      tier: "critical-payments",
      cost_center: "cc-4411-marketing",
    };
    const now = Date.now();
    addSilence(join(dir, "state.db"), {
      id: "sil_0000beef",
      match: { sessions: [{ projectName: "growth", authSessionId: "checkout-sso" }] },
      startsAt: now,
      endsAt: now + HOUR,
      reason: "vendor maintenance",
      createdAt: now,
    });
    const { url } = await startStatusDaemon({
      dir,
      sessions: [{ project: "growth", id: "checkout-sso", status: "PENDING", labels }],
      watchlist: { alerts: [{ name: "stuck-pending", status: "PENDING", for: "1s" }] },
    });
    const labelText = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(" ");
    // A laptop, a phone in dark mode (where the marks go under the name, beside the labels), a tablet.
    for (const screen of [
      { width: 1280, height: 800, dark: false, picture: "status-page-long-labels.png" },
      { width: 390, height: 844, dark: true, picture: "status-page-long-labels-phone.png" },
      // A tablet and a small laptop: the last poll column, then the one-line layout, give way first.
      { width: 800, height: 600, dark: false, picture: "status-page-long-labels-800.png" },
      { width: 1024, height: 768, dark: false, picture: "status-page-long-labels-1024.png" },
    ]) {
      const { page, close } = await openPage(url, screen);
      try {
        const row = rowOf(page, "checkout-sso");
        await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain("overdue: stuck-pending");
        expect(await row.textContent()).toContain("silenced");
        expect(await row.locator(".mark").count()).toBe(2);
        await page.screenshot({ path: join(ARTIFACTS, screen.picture) });
        // Each mark, and the session's name, lies wholly inside the window and every box that clips it.
        const hidden = await page.evaluate(
          `(${HIDDEN_PARTS})(document.querySelector('#rows .row[data-key$="/checkout-sso"]'))`,
        );
        expect(hidden, `${screen.width} px`).toEqual([]);
        // The labels are what gives way, and they read in full on hover.
        const small = row.locator(".name small");
        expect(await small.getAttribute("title")).toBe(labelText);
        expect(await small.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
        expect(await page.evaluate("document.documentElement.scrollWidth <= innerWidth")).toBe(true);
      } finally {
        await close();
      }
    }
  });

  it("marks the sessions of a refused key as held back within seconds, without a reload", async () => {
    const { api, url } = await startStatusDaemon({
      sessions: [{ project: "crm", id: "crm-refused", status: "READY" }],
    });
    const { page, close } = await openPage(url);
    try {
      await expect
        .poll(() => rowOf(page, "crm-refused").textContent(), { timeout: 15_000 })
        .toContain("● READY");
      expect(await rowOf(page, "crm-refused").locator(".c-health").textContent()).toBe("ok");
      await page.evaluate("window.marker = 7");
      api.setKeyValid(STATUS_KEY, false);
      // Without the page's own refresh, which comes only once a minute.
      await expect
        .poll(() => rowOf(page, "crm-refused").locator(".c-health").textContent(), { timeout: 10_000 })
        .toBe("⏸ UNAUTHORIZED");
      expect(await page.evaluate("window.marker")).toBe(7);
      // On a phone too, where a healthy row's poll health gives its place to "since".
      await page.setViewportSize({ width: 390, height: 844 });
      await expect
        .poll(() => rowOf(page, "crm-refused").locator(".c-health").isVisible(), { timeout: 10_000 })
        .toBe(true);
      expect(await rowOf(page, "crm-refused").locator(".c-since").isVisible()).toBe(false);
    } finally {
      await close();
    }
  });

  it("shows the sessions of a key rate limited with Retry-After as held within seconds, and as healthy again once the API answers", async () => {
    const { api, url } = await startStatusDaemon({
      sessions: [
        { project: "crm", id: "crm-first", status: "READY" },
        { project: "crm", id: "crm-second", status: "READY" },
      ],
    });
    const { page, requests, close } = await openPage(url);
    const healthOf = (id: string) => rowOf(page, id).locator(".c-health").textContent();
    const readsOf = (path: string) => requests.filter((address) => new URL(address).pathname === path).length;
    try {
      for (const id of ["crm-first", "crm-second"])
        await expect.poll(() => healthOf(id), { timeout: 15_000 }).toBe("ok");
      await page.evaluate("window.marker = 9");
      // Idle, the page looks at /healthz's few bytes and leaves /sessions alone.
      const sessionReads = readsOf("/sessions");
      const healthReads = readsOf("/healthz");
      await expect
        .poll(() => readsOf("/healthz"), { timeout: 15_000 })
        .toBeGreaterThanOrEqual(healthReads + 2);
      expect(readsOf("/sessions")).toBe(sessionReads);

      const startedAt = Date.now();
      const fault = api.injectFault({ kind: "status", status: 429, retryAfter: 2 });
      // Both wait on the key: the one the API answered 429 and the one that was not polled.
      for (const id of ["crm-first", "crm-second"])
        await expect.poll(() => healthOf(id), { timeout: 10_000 }).toBe("⏸ RATE_LIMITED");
      const heldAfterMs = Date.now() - startedAt;

      fault.remove();
      const resumedAt = Date.now();
      for (const id of ["crm-first", "crm-second"])
        await expect.poll(() => healthOf(id), { timeout: 15_000 }).toBe("ok");
      console.info(
        `status page: held shown ${heldAfterMs} ms after the first 429, healthy again ${Date.now() - resumedAt} ms after the API answered`,
      );
      expect(await page.evaluate("window.marker")).toBe(9);
    } finally {
      await close();
    }
  });

  it("reads on a phone and in dark mode, without sideways scrolling", async () => {
    const { url } = await startStatusDaemon({
      sessions: [
        { project: "billing", id: "billing-login", status: "READY" },
        { project: "crm", id: "crm-sso", status: "EXPIRED" },
      ],
    });
    const { page, close } = await openPage(url, { width: 390, height: 844, dark: true });
    try {
      await expect.poll(() => page.locator("#rows .row").count(), { timeout: 15_000 }).toBe(2);
      await expect
        .poll(() => rowOf(page, "crm-sso").textContent(), { timeout: 10_000 })
        .toContain("▲ EXPIRED");
      const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
      expect(background).toBe("rgb(13, 17, 23)");
      expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, "status-page-phone-dark.png"), fullPage: true });
    } finally {
      await close();
    }
  });

  it("renders 10,000 sessions at once, keeping only the rows on screen in the page", async () => {
    const sessions = Array.from({ length: 10_000 }, (_, i) => ({
      project: `p${i % 20}`,
      id: `sess-${i}`,
      status: i % 97 === 0 ? "EXPIRED" : "READY",
    }));
    const { url } = await startStatusDaemon({
      sessions,
      watchlist: { defaults: { interval: "1h", jitter: 0 } },
    });
    const { page, close } = await openPage(url);
    try {
      await expect.poll(() => page.locator("#rows .row").count(), { timeout: 30_000 }).toBeGreaterThan(0);
      const firstRenderMs = Number(await page.evaluate("document.body.dataset.firstRenderMs"));
      console.info(
        `status page: ${Buffer.byteLength(STATUS_PAGE_HTML)} bytes; first render of 10,000 sessions at ${firstRenderMs} ms`,
      );
      expect(firstRenderMs).toBeGreaterThan(0);
      expect(firstRenderMs).toBeLessThan(10_000);
      expect(await page.locator("#rows .row").count()).toBeLessThan(100);
      // Scrolling to the end brings the last rows in.
      await page.evaluate("window.scrollTo(0, document.body.scrollHeight)");
      await expect
        .poll(() => page.locator("#rows .row").last().getAttribute("data-key"))
        .toMatch(/\/sess-\d+$/);
      await page.screenshot({ path: join(ARTIFACTS, "status-page-10000.png") });
    } finally {
      await close();
    }
  });
});

describe.skipIf(!HAVE_CHROMIUM)("the status page's picture for the README", () => {
  it("shows a week of stored history for a small fleet, light and dark", async () => {
    const dir = mkdtempSync(join(tmpdir(), "authwatch-page-readme-"));
    const ref = (projectName: string, authSessionId: string) => ({
      workspaceId: STATUS_WORKSPACE,
      projectName,
      authSessionId,
    });
    const fleet: Array<{ project: string; id: string; now: string; past: Array<[string, number]> }> = [
      {
        project: "billing",
        id: "invoices-portal",
        now: "EXPIRED",
        past: [
          ["READY", 7.5 * DAY],
          ["EXPIRED", 0.2 * DAY],
        ],
      },
      {
        project: "crm",
        id: "salesforce-sso",
        now: "READY",
        past: [
          ["READY", 6 * DAY],
          ["EXPIRED", 3.1 * DAY],
          ["PENDING", 2.9 * DAY],
          ["READY", 2.8 * DAY],
        ],
      },
      {
        project: "crm",
        id: "hubspot-login",
        now: "PENDING",
        past: [
          ["READY", 7.5 * DAY],
          ["PENDING", 0.05 * DAY],
        ],
      },
      {
        project: "ops",
        id: "backup-console",
        now: "NOT_FOUND",
        past: [
          ["READY", 5 * DAY],
          ["NOT_FOUND", 1.5 * DAY],
        ],
      },
      { project: "billing", id: "stripe-dashboard", now: "READY", past: [["READY", 7.5 * DAY]] },
      {
        project: "support",
        id: "zendesk-agent",
        now: "READY",
        past: [
          ["PENDING", 4 * DAY],
          ["READY", 3.9 * DAY],
          ["EXPIRED", 1 * DAY],
          ["READY", 0.8 * DAY],
        ],
      },
      { project: "support", id: "intercom-inbox", now: "READY", past: [["READY", 7.5 * DAY]] },
      { project: "hr", id: "workday-payroll", now: "READY", past: [["READY", 2 * DAY]] },
    ];
    seedHistory(
      join(dir, "state.db"),
      fleet.map((s) => ({
        ref: ref(s.project, s.id),
        steps: s.past.map(([status, agoMs]) => ({ status, agoMs })),
      })),
    );
    const { api, url } = await startStatusDaemon({
      dir,
      sessions: fleet.map((s) => ({
        project: s.project,
        id: s.id,
        status: s.now,
        ...(s.project === "billing" ? { labels: { team: "finance" } } : {}),
      })),
      watchlist: {
        defaults: { interval: "300ms", jitter: 0, failureThreshold: 2 },
        sinks: [
          { name: "log", type: "console" },
          {
            name: "oncall",
            type: "webhook",
            url: "http://127.0.0.1:9/hook",
            events: ["authsession.expired"],
          },
        ],
      },
    });
    api.injectFault({ kind: "status", status: 503, session: ref("hr", "workday-payroll") });
    for (const dark of [false, true]) {
      const { page, close } = await openPage(url, { width: 1280, height: 440, dark });
      try {
        await expect.poll(() => page.locator("#rows .row").count(), { timeout: 15_000 }).toBe(fleet.length);
        await expect
          .poll(() => rowOf(page, "workday-payroll").textContent(), { timeout: 15_000 })
          .toContain("SERVER_ERROR");
        await page.screenshot({ path: join(ARTIFACTS, `status-page-readme${dark ? "-dark" : ""}.png`) });
      } finally {
        await close();
      }
    }
  });
});
