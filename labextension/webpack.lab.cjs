// Extra webpack configuration for `jupyter labextension build` (package.json
// "jupyterlab.webpackConfig"): the build id the widget loader compares with.
const webpack = require("webpack");
const { buildId } = require("./build-id.cjs");

module.exports = {
  plugins: [new webpack.DefinePlugin({ __ORCH8_BUILD__: JSON.stringify(buildId()) })],
};
