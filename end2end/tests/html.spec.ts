import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { allPages } from "./pages";

// The server-rendered HTML of every page passes the W3C Nu HTML checker.
test("the Nu HTML checker finds no error in any server-rendered page", async ({ request }) => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "parley-vnu-"));
  try {
    const files: string[] = [];
    for (const path of allPages()) {
      const response = await request.get(path);
      expect([200, 401, 404, 410]).toContain(response.status());
      const file = join(dir, `${path.replaceAll("/", "_") || "root"}.html`);
      writeFileSync(file, await response.text());
      files.push(file);
    }
    const jar = join(__dirname, "..", "node_modules", "vnu-jar", "build", "dist", "vnu.jar");
    let report = "";
    try {
      execFileSync("java", ["-jar", jar, "--errors-only", "--format", "json", ...files], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error: unknown) {
      // vnu exits non-zero when it finds errors and writes its JSON to stderr.
      report = (error as { stderr?: string }).stderr ?? String(error);
    }
    const messages = report
      ? (JSON.parse(report).messages as { type: string; url: string; message: string; extract?: string }[])
      : [];
    const errors = messages
      .filter((m) => m.type === "error")
      .map((m) => `${m.url.split("/").pop()}: ${m.message} ${m.extract ?? ""}`);
    expect(errors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
