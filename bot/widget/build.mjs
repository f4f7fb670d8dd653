// Builds the widget into bot/widget/dist/ (served by bot/widget/web.py, never committed):
//   widget.js (+ .map)  socket.io-client and the widget's CSS bundled into one script
//   demo.html, demo.css the demo page served at /widget/
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");

await rm(dist, { recursive: true, force: true });
await mkdir(dist);
await build({
  entryPoints: [join(here, "src", "index.js")],
  outfile: join(dist, "widget.js"),
  bundle: true,
  format: "iife",
  target: ["es2020"],
  minify: true,
  sourcemap: true,
  loader: { ".css": "text" },
  logLevel: "warning",
});
for (const name of ["demo.html", "demo.css"]) {
  await copyFile(join(here, "demo", name), join(dist, name));
}
console.log(`widget built into ${dist}`);
