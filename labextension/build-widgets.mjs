// Bundles the anywidget front end into the Python package:
// - widgets.js + widgets.css: every widget view; React and every other dependency bundled
//   in, so widgets load with no network access;
// - loader.js: the tiny module a widget's `_esm` holds (see src/widget/loader.ts), so a
//   saved notebook's widget state stays small;
// - dashboard.js + dashboard.css: the web dashboard `orch8-nb serve` shows at /dashboard,
//   made of the same components (into orch8_nb/server/static/).
import { createRequire } from "node:module";
import { build } from "esbuild";

const { buildId } = createRequire(import.meta.url)("./build-id.cjs");
const outdir = new URL("../orch8_nb/widgets/static/", import.meta.url).pathname;
const dashboardDir = new URL("../orch8_nb/server/static/", import.meta.url).pathname;

const common = {
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: process.env.ORCH8_DEV !== "1",
  sourcemap: false,
  loader: { ".css": "css" },
  define: {
    "process.env.NODE_ENV": '"production"',
    __ORCH8_BUILD__: JSON.stringify(buildId()),
  },
  logLevel: "warning",
};

await Promise.all([
  build({ ...common, entryPoints: { widgets: "src/widget/index.tsx", loader: "src/widget/loader.ts" }, outdir }),
  build({ ...common, entryPoints: { dashboard: "src/dashboard/index.tsx" }, outdir: dashboardDir }),
]);
