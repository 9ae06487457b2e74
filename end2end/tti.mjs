// Time to interactive on an emulated low-end phone (issue 19, item 2), for
// bench/tti.sh: each page opened at 360 px in Debian's Chromium with the
// CPU 4x slower, 1.6 Mbps down, 750 kbps up and 150 ms latency (DevTools
// protocol), in a fresh context each time (nothing cached). "Content" is
// when <main> is in the document; "interactive" when the page has hydrated
// (the header carries data-enhanced="true"). Also prints the WebAssembly
// bundle's size as sent: raw, gzip and brotli (Node's zlib, best quality).
//
// Usage (from the repository root): node end2end/tti.mjs BASE RUNS PATH...
// Prints one Markdown table row per page: the median of RUNS runs.
import { chromium } from "playwright-core";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { launchOptions } from "./chromium.cjs";

const [base, runsArg, ...paths] = process.argv.slice(2);
const runs = Number(runsArg) || 3;

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch(launchOptions);

async function once(path) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: 1.6e6 / 8,
    uploadThroughput: 750e3 / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const t0 = Date.now();
  await page.goto(base + path, { waitUntil: "commit" });
  await page.waitForSelector("main", { state: "attached", timeout: 60000 });
  const content = Date.now() - t0;
  await page.waitForSelector('header[data-enhanced="true"]', { state: "attached", timeout: 120000 });
  const interactive = Date.now() - t0;
  await ctx.close();
  return { content, interactive };
}

try {
  const wasm = Buffer.from(await (await fetch(`${base}/pkg/parley.wasm`)).arrayBuffer());
  const js = Buffer.from(await (await fetch(`${base}/pkg/parley.js`)).arrayBuffer());
  const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(
    `bundle: parley.wasm ${kib(wasm.length)} (gzip ${kib(gzipSync(wasm, { level: 9 }).length)}, ` +
      `brotli ${kib(br(wasm))}); parley.js ${kib(js.length)} (brotli ${kib(br(js))})`,
  );
  console.log();
  console.log("| page | content shows (median) | interactive (median) | interactive, each run |");
  console.log("| --- | ---: | ---: | --- |");
  for (const path of paths) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await once(path));
    const inter = results.map((r) => r.interactive);
    console.log(
      `| \`${path}\` | ${median(results.map((r) => r.content))} ms | ${median(inter)} ms | ${inter.join(", ")} ms |`,
    );
  }
} finally {
  await browser.close();
}
