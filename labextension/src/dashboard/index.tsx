// The dashboard bundle (orch8_nb/server/static/dashboard.js + .css): mounts the App on the
// page /dashboard serves, configured by that page's data attributes.
import "../../style/index.css";
import "../../style/dashboard.css";
import { createRoot } from "react-dom/client";
import { App } from "./App";

const el = document.getElementById("orch8-dashboard");
if (el !== null) {
  createRoot(el).render(
    <App config={{ api: el.dataset.api ?? "/api/v1", needsKey: el.dataset.auth === "key", tenant: el.dataset.tenant ?? "default" }} />,
  );
}
