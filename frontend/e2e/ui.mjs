// End-to-end: every page of the built UI in Debian's Chromium against the real API at BASE_URL.
// Saves a screenshot per page under SCREENSHOTS and prints {"createdBrand", "replayed"} as its last line.
// Run by tests/e2e/test_ui.py, which starts the API, the workers and the simulator and passes FACTS.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

const base = process.env.BASE_URL ?? "http://127.0.0.1:8000";
const key = process.env.API_KEY ?? "";
const shots = process.env.SCREENSHOTS ?? "e2e-screenshots";
const facts = JSON.parse(process.env.FACTS ?? '{"brands": ["Acme"], "deadLetters": []}');
const ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TIMEOUT_MS = 30_000;
const errors = [];
mkdirSync(shots, { recursive: true });

function log(step) {
  console.error(`[e2e] ${step}`);
}

async function newPage(browser, { viewport = { width: 1280, height: 900 }, theme = "light", isMobile = false } = {}) {
  const context = await browser.newContext({ viewport, isMobile, hasTouch: isMobile, deviceScaleFactor: 1 });
  await context.addInitScript(
    ([apiKey, mode]) => {
      localStorage.setItem("brandpulse.apiKey", apiKey);
      localStorage.setItem("brandpulse.theme", mode);
    },
    [key, theme],
  );
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
  return page;
}

async function shot(page, name, fullPage = true) {
  await page.waitForTimeout(700); // let chart animations and transitions settle
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  log(`screenshot ${name}.png`);
}

async function dashboard(page, name = "dashboard") {
  await page.goto(`${base}/dashboard?last=7d`);
  await page.locator("[data-testid=kpi] .ant-statistic-content").first().filter({ hasText: /\d/ }).waitFor();
  const canvases = page.locator("[data-testid=chart-card] canvas");
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=chart-card] canvas").length >= 6);
  log(`dashboard: ${await canvases.count()} charts drawn`);
  await shot(page, name);
}

async function search(page, name = "search") {
  await page.goto(`${base}/search`);
  await page.getByLabel("Search query").fill(facts.brands[0]);
  await page.getByLabel("Search query").press("Enter");
  await page.waitForURL(/q=/);
  await page.getByRole("button", { name: /Filters/ }).click();
  const drawer = page.getByRole("dialog");
  await drawer.getByText("negative", { exact: true }).click();
  await drawer.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/sentiment=negative/);
  await page.waitForFunction(() => {
    const hits = [...document.querySelectorAll("[data-testid=search-hit]")];
    return hits.length > 0 && hits.every((hit) => hit.textContent.includes("negative"));
  }); // every hit shown is negative: the filter reached the API
  const hits = await page.locator("[data-testid=search-hit]").count();
  if ((await page.locator("[data-testid=search-hit] mark").count()) === 0) throw new Error("search: no highlighted match");
  log(`search: ${hits} negative hits for ${facts.brands[0]}, ${await page.getByTestId("search-total").innerText()}`);
  await shot(page, name, false); // the first screen: the list goes on
}

async function spikeToSearch(page) {
  const spikes = page.getByTestId("spike-link");
  if ((await spikes.count()) === 0) return log("dashboard: no spike in this data to click");
  await spikes.first().click();
  await page.waitForURL(/\/search\?.*since=.*until=/);
  await page.locator("[data-testid=search-hit]").first().waitFor();
  log(`dashboard: a spike opened ${new URL(page.url()).search} with ${await page.getByTestId("search-total").innerText()}`);
}

async function exportCsv(page) {
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: /Export CSV/ }).click();
  const file = await download;
  const rows = readFileSync(await file.path(), "utf8").trim().split("\r\n");
  if (!rows[0].startsWith("mention_id,published_at,source") || rows.length < 21) throw new Error(`export: ${rows.length} rows`);
  log(`search: exported ${file.suggestedFilename()}, ${rows.length - 1} rows`);
}

async function searchError(page) {
  await page.getByLabel("Search query").fill(`${facts.brands[0]} AND (recall`);
  await page.getByLabel("Search query").press("Enter");
  await page.getByTestId("query-error").waitFor();
  log(`search: bad query shows "${await page.getByTestId("query-error").innerText()}"`);
  await shot(page, "search-error");
}

async function live(page) {
  await page.goto(`${base}/live`);
  await page.getByText("Connected").waitFor();
  await page.locator("[data-testid=live-mention]").nth(2).waitFor();
  log(`live: ${await page.locator("[data-testid=live-mention]").count()} mentions arrived`);
  await shot(page, "live");
}

async function brands(page) {
  const slug = `e2e-${Date.now().toString(36)}`;
  await page.goto(`${base}/brands`);
  await page.locator(".ant-table-row").first().waitFor();
  await page.getByRole("button", { name: "New brand" }).click();
  const drawer = page.getByRole("dialog");
  await drawer.getByLabel("Name").fill("E2E Widgets");
  await drawer.getByLabel("Slug").fill(slug);
  await drawer.getByLabel("Brand query").fill(`${facts.brands[0]} AND (`);
  await drawer.getByTestId("query-error").waitFor();
  await shot(page, "brands-invalid");
  await drawer.getByLabel("Brand query").fill(`${facts.brands[0]} OR ${facts.brands[1] ?? "Widgets"}`);
  await drawer.getByTestId("brand-preview").filter({ hasText: /Valid query · [\d,.K]+ mentions/ }).waitFor();
  await drawer.locator(".ant-list-item").first().waitFor();
  await shot(page, "brands-form");
  await drawer.getByRole("button", { name: "Create brand" }).click();
  await page.locator(".ant-table-row", { hasText: slug }).waitFor();
  await page.getByRole("dialog").waitFor({ state: "hidden" });
  log(`brands: created ${slug}`);
  await shot(page, "brands");
  return slug;
}

async function pipeline(page) {
  await page.goto(`${base}/pipeline`);
  const card = page.getByTestId("dead-letters");
  await card.getByText("sink refused it").first().waitFor();
  await shot(page, "pipeline");
  const replayed = page.waitForResponse((r) => r.url().includes("/api/ingestion/dead-letters/replay") && r.request().method() === "POST");
  await card.locator(".ant-table-row").first().getByRole("button", { name: /Replay/ }).click();
  const result = await (await replayed).json();
  await page.getByText(/Replayed 1/).waitFor();
  log(`pipeline: replayed ${result.replayed.map((r) => r.dead_letter_id).join(", ")}`);
  await shot(page, "pipeline-replayed");
  return result.replayed.map((r) => r.dead_letter_id);
}

async function alerts(page) {
  await page.goto(`${base}/alerts`);
  await page.getByRole("button", { name: "New rule" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Brand").click();
  await page.locator(".ant-select-item-option", { hasText: facts.brands[0] }).click();
  await dialog.getByRole("button", { name: "Create rule" }).click();
  await page.locator(".ant-table-row", { hasText: "negative share > 50%" }).waitFor();
  log("alerts: rule created");
  await shot(page, "alerts");
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
try {
  const page = await newPage(browser);
  await dashboard(page);
  await spikeToSearch(page);
  await search(page);
  await exportCsv(page);
  await searchError(page);
  await live(page);
  const createdBrand = await brands(page);
  const replayed = await pipeline(page);
  await alerts(page);

  const phone = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true });
  await dashboard(phone, "dashboard-phone");
  await search(phone, "search-phone");
  const dark = await newPage(browser, { theme: "dark" });
  await dashboard(dark, "dashboard-dark");
  await search(dark, "search-dark");

  if (errors.length) throw new Error(`errors in the page:\n${errors.join("\n")}`);
  console.log(JSON.stringify({ createdBrand, replayed }));
} finally {
  await browser.close();
}
