// The build id shared by the widget loader, the widget bundle and the JupyterLab extension:
// the package version plus a hash of every front-end source. The loader uses the copy of
// the widgets that JupyterLab already has only when its build id is the same, so a page
// left open across an upgrade never draws new kernels' widgets with old code.
const { createHash } = require("node:crypto");
const { readdirSync, readFileSync, statSync } = require("node:fs");
const { join, relative } = require("node:path");

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

function buildId(root = __dirname) {
  const hash = createHash("sha256");
  for (const file of [...files(join(root, "src")), ...files(join(root, "style"))]) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return `${version}+${hash.digest("hex").slice(0, 12)}`;
}

module.exports = { buildId };
