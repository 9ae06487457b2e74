// How Parley's browser tests and bench/tti.sh start Debian's Chromium, as
// root, headless, on a machine with no route to Google's services (without
// the background-networking flags it keeps trying them). CommonJS, so that
// both the TypeScript config and an ES module can import it on Node 20.
exports.launchOptions = {
  executablePath: process.env.PARLEY_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
