// Renders an HTML report of mcas2jira in Chromium (headless, Debian's build, driven by
// playwright-core) and checks what a reader would see: the page loads without console errors
// or requests of any kind beyond the file itself, every chart's SVG has bars of a visible size
// and labels with text, and the print layout lays out. Keeps two screenshots: the first screen
// and the whole page as printed (print media emulated).
//
// Usage: node scripts/browser-check.mjs REPORT.html ARTEFACT_DIR
// Chromium: $MCAS2JIRA_CHROMIUM, else /usr/bin/chromium. Prints one JSON object (what it found)
// on stdout; exits 1 with the reasons on stderr when a check fails, 2 when Chromium cannot start.

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, artefacts] = process.argv.slice(2);
if (!report || !artefacts) {
  console.error('usage: node scripts/browser-check.mjs REPORT.html ARTEFACT_DIR');
  process.exit(2);
}
mkdirSync(artefacts, { recursive: true });
const executablePath = process.env.MCAS2JIRA_CHROMIUM || '/usr/bin/chromium';
// A fresh profile, and none of Chromium's own traffic: on a closed network its background
// connections are refused, and they are not what is checked here anyway.
const profile = mkdtempSync(join(tmpdir(), 'mcas2jira-chromium-'));
const args = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath, args, headless: true, viewport: { width: 1280, height: 900 },
  });
} catch (error) {
  console.error(`cannot start Chromium at ${executablePath}: ${error.message}`);
  rmSync(profile, { recursive: true, force: true });
  process.exit(2);
}

const problems = [];
const found = { consoleErrors: [], failedRequests: [], requests: [], charts: [], screenshots: {} };
try {
  const page = context.pages()[0] ?? await context.newPage();
  const url = pathToFileURL(resolve(report)).href;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      found.consoleErrors.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => found.consoleErrors.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== url) found.requests.push(request.url());
  });
  page.on('requestfailed', (request) => {
    found.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || !response.ok()) problems.push(`the page did not load (${response?.status()})`);

  found.title = await page.title();
  found.charts = await page.$$eval('svg.chart', (charts) => charts.map((svg) => {
    const visible = (element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    };
    const bars = [...svg.querySelectorAll('rect[data-count]')];
    const labels = [...svg.querySelectorAll('text')];
    return {
      id: svg.closest('section')?.id ?? '(none)',
      bars: bars.length,
      visibleBars: bars.filter(visible).length,
      labels: labels.length,
      labelsWithText: labels.filter((t) => t.textContent.trim() !== '' && visible(t)).length,
      width: svg.getBoundingClientRect().width,
    };
  }));
  found.sections = await page.$$eval('section[id]', (sections) => sections.map((s) => s.id));
  found.links = await page.$$eval('a[href]', (links) => links.length);

  await page.screenshot({ path: join(artefacts, 'first-screen.png') });
  found.screenshots.firstScreen = join(artefacts, 'first-screen.png');
  // Paper: an A4 page's printable width at 96 dpi (the report's @page has 1.5 cm margins).
  await page.setViewportSize({ width: 680, height: 960 });
  await page.emulateMedia({ media: 'print' });
  found.printWidth = await page.evaluate(() => document.body.getBoundingClientRect().width);
  found.printOverflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  await page.screenshot({ path: join(artefacts, 'print.png'), fullPage: true });
  found.screenshots.print = join(artefacts, 'print.png');
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

if (found.consoleErrors.length) problems.push(`console: ${found.consoleErrors.join('; ')}`);
if (found.requests.length) problems.push(`requests beyond the file: ${found.requests.join(', ')}`);
if (found.failedRequests.length) problems.push(`failed requests: ${found.failedRequests.join(', ')}`);
if (found.printOverflow) problems.push('the print layout is wider than an A4 page');
if (found.charts.length < 2) problems.push(`${found.charts.length} chart(s), expected the per-day and per-tenant charts`);
for (const chart of found.charts) {
  if (chart.bars === 0 || chart.visibleBars !== chart.bars) {
    problems.push(`chart ${chart.id}: ${chart.visibleBars} of ${chart.bars} bars visible`);
  }
  if (chart.labels === 0 || chart.labelsWithText !== chart.labels) {
    problems.push(`chart ${chart.id}: ${chart.labelsWithText} of ${chart.labels} labels visible with text`);
  }
}
console.log(JSON.stringify(found));
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
