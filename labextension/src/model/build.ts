// The front end's build id (see build-id.cjs), compiled in by esbuild and webpack.
declare const __ORCH8_BUILD__: string | undefined;

/** `"<version>+<source hash>"`; `"dev"` where no bundler defined it (unit tests). */
export const BUILD: string = typeof __ORCH8_BUILD__ === "string" ? __ORCH8_BUILD__ : "dev";
