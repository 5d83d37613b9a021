// The standalone widget bundle (widgets.js + widgets.css): what the loader fetches from the
// kernel where the JupyterLab extension is not installed (VS Code, Notebook 7 without it,
// a lab page older than the kernel's package).
import "../../style/index.css";
import { BUILD } from "../model/build";
import type { WidgetViews } from "./registry";
import { renderWidget } from "./render";

const views: WidgetViews = { build: BUILD, render: renderWidget };
export default views;
