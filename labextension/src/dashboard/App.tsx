// The web dashboard `orch8-nb serve` shows at /dashboard: instances (the notebook's table
// and live tree), workers and their tasks, and the dead-letter queue, over the REST API.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Api, ApiError } from "./api";
import { DlqPage } from "./DlqPage";
import { InstancesPage } from "./InstancesPage";
import { KeyPrompt, storedKey, storeKey } from "./KeyPrompt";
import { parseRoute, routeHash } from "./routes";
import type { Route } from "./routes";
import { WorkersPage } from "./WorkersPage";

export interface DashboardConfig {
  /** Base URL of the API, e.g. "/api/v1". */
  api: string;
  /** Whether the server asks for an API key. */
  needsKey: boolean;
  tenant: string;
}

const TABS: { page: Route["page"]; label: string }[] = [
  { page: "instances", label: "Instances" },
  { page: "workers", label: "Workers" },
  { page: "dlq", label: "Dead letters" },
];

function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const go = useCallback((next: Route) => {
    window.location.hash = routeHash(next);
  }, []);
  return [route, go];
}

/** Where the API key stands: none given yet, being checked, accepted or refused. */
type KeyState = "unknown" | "checking" | "ok" | "refused";

export function App({ config }: { config: DashboardConfig }) {
  const [key, setKey] = useState<string | null>(() => (config.needsKey ? storedKey() : null));
  const api = useMemo(() => new Api(config.api, key), [config.api, key]);
  const [keyState, setKeyState] = useState<KeyState>(config.needsKey ? "checking" : "ok");
  const [route, go] = useRoute();

  useEffect(() => {
    if (!config.needsKey) return;
    if (key === null) {
      setKeyState("unknown");
      return;
    }
    setKeyState("checking");
    api.get("/info").then(
      () => setKeyState("ok"),
      (err: unknown) => {
        const refused = err instanceof ApiError && err.status === 401;
        if (refused) storeKey(null);
        setKeyState(refused ? "refused" : "ok");
      },
    );
  }, [api, key, config.needsKey]);

  const open = (instanceId: string) => go({ page: "instances", instance: instanceId });
  return (
    <div className="orch8 orch8-dash" data-testid="orch8-dashboard">
      <header className="orch8-dash-head">
        <strong className="orch8-dash-title">orch8-nb</strong>
        <nav className="orch8-dash-tabs" aria-label="Dashboard pages">
          {TABS.map((tab) => (
            <a
              key={tab.page}
              href={routeHash(tab.page === "instances" ? { page: "instances", instance: null } : ({ page: tab.page } as Route))}
              className={route.page === tab.page ? "orch8-dash-tab orch8-dash-tab-current" : "orch8-dash-tab"}
              aria-current={route.page === tab.page ? "page" : undefined}
              data-testid={`orch8-dash-tab-${tab.page}`}
            >
              {tab.label}
            </a>
          ))}
        </nav>
        <span className="orch8-muted orch8-dash-tenant">tenant {config.tenant}</span>
        {config.needsKey && keyState === "ok" && (
          <button type="button" className="orch8-button" onClick={() => { storeKey(null); setKey(null); }}>
            Forget key
          </button>
        )}
      </header>
      <main className="orch8-dash-main">
        {(keyState === "unknown" || keyState === "refused") && (
          <KeyPrompt refused={keyState === "refused"} onKey={(k) => { storeKey(k); setKey(k); }} />
        )}
        {keyState === "checking" && <p className="orch8-muted">Checking the key…</p>}
        {keyState === "ok" && route.page === "instances" && (
          <InstancesPage api={api} selected={route.instance} onSelect={(id) => go({ page: "instances", instance: id })} />
        )}
        {keyState === "ok" && route.page === "workers" && <WorkersPage api={api} onOpen={open} />}
        {keyState === "ok" && route.page === "dlq" && <DlqPage api={api} onOpen={open} />}
      </main>
    </div>
  );
}
