// DOT -> SVG with the WASM Graphviz bundled in @hpcc-js/wasm-graphviz (the wasm is inlined
// in its JS, so nothing is fetched at run time). Imported lazily: the 800 kB chunk loads
// only when a notebook actually shows a DOT output.

interface Layout {
  layout(dot: string, format: "svg", engine: "dot"): string;
}

let loading: Promise<Layout> | null = null;

function loadGraphviz(): Promise<Layout> {
  if (loading === null) {
    loading = import("@hpcc-js/wasm-graphviz").then((module) => module.Graphviz.load());
    // A failed load is retried on the next output instead of being cached forever.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** The SVG text Graphviz draws for `dot`; throws Graphviz's own message on bad input. */
export async function dotToSvg(dot: string): Promise<string> {
  const graphviz = await loadGraphviz();
  return graphviz.layout(dot, "svg", "dot");
}

const DROPPED_ELEMENTS = ["script", "foreignObject", "iframe", "object", "embed"];
const SAFE_LINK = /^(https?:|mailto:|#)/i;

/**
 * Makes Graphviz's SVG safe to insert. DOT's `URL`/`href` attributes pass through to
 * `<a xlink:href>` verbatim (including `javascript:`), and untrusted outputs (a notebook
 * from elsewhere) get no live links nor external images at all.
 */
export function sanitizeSvg(svg: SVGSVGElement, trusted: boolean): void {
  for (const name of DROPPED_ELEMENTS) {
    svg.querySelectorAll(name).forEach((node) => node.remove());
  }
  if (!trusted) svg.querySelectorAll("image").forEach((node) => node.remove());
  for (const node of [svg, ...Array.from(svg.querySelectorAll("*"))]) {
    for (const attr of Array.from(node.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) {
        node.removeAttribute(attr.name);
      } else if (name === "href" || name === "xlink:href") {
        const value = attr.value.trim();
        if (!SAFE_LINK.test(value) || (!trusted && !value.startsWith("#"))) {
          node.removeAttribute(attr.name);
        } else if (!value.startsWith("#")) {
          node.setAttribute("target", "_blank");
          node.setAttribute("rel", "noopener noreferrer");
        }
      }
    }
  }
}

/** Parses SVG text into a sanitised element of this document. */
export function svgElement(text: string, trusted: boolean): SVGSVGElement {
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = parsed.documentElement;
  if (root.nodeName.toLowerCase() !== "svg" || parsed.getElementsByTagName("parsererror").length) {
    throw new Error("Graphviz returned no SVG");
  }
  const svg = document.importNode(root, true) as unknown as SVGSVGElement;
  sanitizeSvg(svg, trusted);
  return svg;
}
