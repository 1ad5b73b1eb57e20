// Drives the credmatch web page in headless Chromium (playwright-core): the employer flow
// (posting and occupation), the worker flow (gap + path), no request leaving the server's
// origin, no console errors. Environment: CREDMATCH_BIN, CREDMATCH_TEST_CATALOG, CHROMIUM,
// SCREENSHOT (optional PNG path, taken of the employer results). Waits use locators, not
// page functions: the page's Content-Security-Policy forbids the eval those need.
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";

const bin = process.env.CREDMATCH_BIN;
const catalog = process.env.CREDMATCH_TEST_CATALOG;
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

function startServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ["serve", "--catalog", catalog, "--port", "0", "--threads", "4"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 60000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${m[1]}` });
      }
    });
    proc.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

const { proc, base } = await startServer();
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const failed = []; // responses >= 400: only the deliberate unknown occupation may be one
  page.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url().replace(base, "")}`));
  const foreign = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(base)) foreign.push(r.url());
  });

  await page.goto(`${base}/`);
  await page.locator("#catalog-status", { hasText: /^Catalog:/ }).waitFor({ timeout: 20000 });
  check(true, "page loads and shows the catalog");

  // Employer: paste a posting.
  await page.fill("#employer-text", "Research Data Analyst\n\nRequirements:\n- Write SQL queries to select and filter data\n- Analyse tabular data with Python\n- Track changes to code with Git\nNice to have: automate tasks with shell scripts\n\nWe offer a pension plan.");
  await page.click("#employer-submit");
  await page.waitForSelector("#employer-list li", { timeout: 30000 });
  const n = await page.locator("#employer-list > li").count();
  check(n >= 1, `employer (posting): ${n} ranked credentials`);
  const summary = await page.textContent("#employer-summary");
  const results = await page.textContent("#employer-results");
  check(!/\bnull\b|undefined/.test(results), "employer results show no 'null' or 'undefined'");
  check(/4 requirements/.test(summary), `employer summary counts the requirements: "${summary}"`);
  check(/Research Data Analyst/.test(summary), `employer summary names the posting's title: "${summary}"`);
  await page.locator("#employer-list > li details summary").first().click();
  const evidenceRows = await page.locator("#employer-list > li").first().locator("tbody tr").count();
  check(evidenceRows === 4, `evidence table has one row per requirement (${evidenceRows})`);
  const firstTitle = (await page.locator("#employer-list .cred-title").first().textContent()).trim();
  check(firstTitle.length > 0, `first credential: ${firstTitle}`);
  if (process.env.SCREENSHOT) {
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
    console.log(`screenshot: ${process.env.SCREENSHOT}`);
  }

  // Employer: pick an occupation by typing its title (suggestions come from /v1/occupations).
  await page.check('input[name="employer-source"][value="occupation"]');
  await page.fill("#employer-occupation", "data analyst");
  await page.locator("#employer-occupation-list option").first().waitFor({ state: "attached", timeout: 10000 });
  check(true, "occupation suggestions appear");
  await page.click("#employer-submit");
  await page.locator("#employer-summary", { hasText: /data analyst/i }).waitFor({ timeout: 30000 });
  check(true, "employer (occupation): results for the occupation");

  // A bad request shows the server's message, naming the problem.
  await page.fill("#employer-occupation", "no such occupation xyz");
  await page.click("#employer-submit");
  await page.waitForSelector("#employer-error:not([hidden])", { timeout: 10000 });
  const err = await page.textContent("#employer-error");
  check(/occupation/.test(err), `unknown occupation shows an error: "${err}"`);

  // Worker: skills + occupation -> gap table and ordered path.
  await page.click("#tab-worker");
  check(await page.isVisible("#panel-worker"), "worker tab opens");
  await page.fill("#worker-skills", "write SQL queries\ncustomer service");
  await page.fill("#worker-occupation", "data analyst");
  await page.click("#worker-submit");
  await page.waitForSelector("#worker-gap tbody tr", { timeout: 30000 });
  const gapRows = await page.locator("#worker-gap tbody tr").count();
  check(gapRows >= 1, `worker gap table: ${gapRows} requirements`);
  const statuses = await page.locator("#worker-gap tbody tr td:nth-child(3)").allTextContents();
  check(statuses.every((s) => ["covered", "partial", "missing"].includes(s)), `gap statuses: ${statuses.join(", ")}`);
  const pathRows = await page.locator("#worker-path tbody tr").count();
  check(pathRows >= 1, `worker path: ${pathRows} steps`);
  const coverages = await page.locator("#worker-path tbody tr td:nth-child(6)").allTextContents();
  const values = coverages.map((c) => parseInt(c, 10));
  check(values.every((v, i) => !Number.isNaN(v) && (i === 0 || v >= values[i - 1])), `coverage after each step rises: ${coverages.join(" → ")}`);
  const pathText = await page.locator("#worker-results").innerText();
  check(!/undefined|null|NaN/.test(pathText), "the path reads without undefined/null/NaN");
  const improves = await page.locator("#worker-path tbody tr td:nth-child(7)").allTextContents();
  check(improves.some((t) => t.includes("←")), `each improvement names its competency: ${improves.join(" | ")}`);
  if (process.env.WORKER_SCREENSHOT) {
    await page.locator("#panel-worker").screenshot({ path: process.env.WORKER_SCREENSHOT });
    console.log(`worker screenshot: ${process.env.WORKER_SCREENSHOT}`);
  }

  check(foreign.length === 0, `no request leaves the server (${foreign.join(", ")})`);
  check(failed.length === 1 && failed[0] === "404 /v1/match", `only the deliberate error failed (${failed.join(", ")})`);
  const realErrors = consoleErrors.filter((e) => !e.startsWith("Failed to load resource"));
  check(realErrors.length === 0, `no console errors (${realErrors.join(" | ")})`);
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
  console.error(e);
} finally {
  if (browser) await browser.close();
  proc.kill("SIGTERM");
}
if (failures.length) {
  console.error(`browser test: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log("browser test: ok");
