import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { describe, expect, it } from "vitest";
import { GraphvizRenderer } from "../src/lab/graphviz-renderer";
import { svgElement } from "../src/lab/graphviz";
import { GRAPHVIZ_MIME } from "../src/model/contract";

function renderer(): GraphvizRenderer {
  return new GraphvizRenderer({ mimeType: GRAPHVIZ_MIME } as IRenderMime.IRendererOptions);
}

function mimeModel(dot: unknown, trusted = true): IRenderMime.IMimeModel {
  return { trusted, data: { [GRAPHVIZ_MIME]: dot }, metadata: {}, setData: () => undefined } as
    unknown as IRenderMime.IMimeModel;
}

describe("graphviz renderer", () => {
  it("draws DOT to inline SVG with the bundled WASM Graphviz", async () => {
    const widget = renderer();
    await widget.renderModel(mimeModel('digraph { fetch -> "charge card" }'));
    const svg = widget.node.querySelector("svg");
    expect(svg).not.toBeNull();
    const titles = [...widget.node.querySelectorAll("g.node > title")].map((t) => t.textContent);
    expect(titles).toEqual(["fetch", "charge card"]);
    expect(widget.node.querySelector(".orch8-mime-error")).toBeNull();
  }, 20_000);

  it("joins DOT stored as a list of lines", async () => {
    const widget = renderer();
    await widget.renderModel(mimeModel(["digraph {\n", " a -> b\n", "}\n"]));
    expect(widget.node.querySelectorAll("g.node")).toHaveLength(2);
  });

  it("shows Graphviz's error and the escaped DOT source on bad input", async () => {
    const widget = renderer();
    const dot = 'digraph { <img src=x onerror="alert(1)"> -> ';
    await widget.renderModel(mimeModel(dot));
    expect(widget.node.querySelector("svg")).toBeNull();
    expect(widget.node.querySelector(".orch8-mime-error")!.textContent).toContain(
      "Graphviz could not draw this graph",
    );
    expect(widget.node.querySelector("pre")!.textContent).toBe(dot);
    expect(widget.node.querySelector("img")).toBeNull();
  });

  it("keeps only the latest of two overlapping renders", async () => {
    const widget = renderer();
    const first = widget.renderModel(mimeModel("digraph { old }"));
    const second = widget.renderModel(mimeModel("digraph { new }"));
    await Promise.all([first, second]);
    expect(widget.node.querySelector("g.node > title")!.textContent).toBe("new");
  });

  it("removes script links always and every link from untrusted outputs", async () => {
    const dot = 'digraph { a [URL="javascript:alert(1)"]; b [URL="https://example.org/"] }';
    const trusted = renderer();
    await trusted.renderModel(mimeModel(dot, true));
    const links = [...trusted.node.querySelectorAll("a")].map(
      (a) => a.getAttribute("xlink:href") ?? a.getAttribute("href"),
    );
    expect(links).toEqual([null, "https://example.org/"]);

    const untrusted = renderer();
    await untrusted.renderModel(mimeModel(dot, false));
    const kept = [...untrusted.node.querySelectorAll("a")].filter(
      (a) => a.hasAttribute("xlink:href") || a.hasAttribute("href"),
    );
    expect(kept).toHaveLength(0);
  });

  it("drops event handlers and scripts from SVG text", () => {
    const svg = svgElement(
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><g onclick="x()"/></svg>',
      true,
    );
    expect(svg.getAttribute("onload")).toBeNull();
    expect(svg.querySelector("script")).toBeNull();
    expect(svg.querySelector("g")!.getAttribute("onclick")).toBeNull();
  });

  it("reports missing DOT without throwing", async () => {
    const widget = renderer();
    await widget.renderModel(mimeModel({ not: "dot" }));
    expect(widget.node.textContent).toContain("no DOT text");
  });
});
