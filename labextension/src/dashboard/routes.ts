// The dashboard's places, kept in the URL's hash so a link or a reload opens the same view:
// #/instances, #/instances/<id>, #/workers, #/dlq.

export type Route =
  | { page: "instances"; instance: string | null }
  | { page: "workers" }
  | { page: "dlq" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "").map(decodeURIComponent);
  if (parts[0] === "workers") return { page: "workers" };
  if (parts[0] === "dlq") return { page: "dlq" };
  return { page: "instances", instance: parts[0] === "instances" && parts[1] ? parts[1] : null };
}

export function routeHash(route: Route): string {
  if (route.page === "instances") {
    return route.instance === null ? "#/instances" : `#/instances/${encodeURIComponent(route.instance)}`;
  }
  return `#/${route.page}`;
}
