"""The stylesheet of static renderings, scoped under ``.o8nb`` so it cannot leak.

JupyterLab CSS variables carry the theme; the fallbacks are for nbviewer and GitHub.
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "o8nb"

STYLE: Final = """<style>
.o8nb{font-family:var(--jp-ui-font-family,system-ui,sans-serif);\
font-size:var(--jp-ui-font-size1,13px);color:var(--jp-ui-font-color1,#1f1f1f);line-height:1.4}
.o8nb .o8nb-title{font-size:14px;margin:0 0 6px}
.o8nb .o8nb-muted{color:var(--jp-ui-font-color2,#616161)}
.o8nb .o8nb-list{display:flex;flex-direction:column;gap:6px}
.o8nb .o8nb-card,.o8nb .o8nb-box{border:1px solid var(--jp-border-color1,#bdbdbd);\
border-radius:6px;padding:4px 8px;background:var(--jp-layout-color1,#ffffff);min-width:0}
.o8nb .o8nb-box{background:var(--jp-layout-color2,#f3f3f3);padding:4px 6px 6px}
.o8nb .o8nb-box .o8nb-box{background:var(--jp-layout-color1,#ffffff)}
.o8nb .o8nb-box .o8nb-box .o8nb-box{background:var(--jp-layout-color2,#f3f3f3)}
.o8nb .o8nb-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:2px 6px}
.o8nb .o8nb-icon{display:inline-block;width:1.2em;text-align:center}
.o8nb .o8nb-kind{color:var(--jp-ui-font-color2,#616161);font-size:11px}
.o8nb .o8nb-id{font-weight:600;overflow-wrap:anywhere}
.o8nb .o8nb-struck .o8nb-id{text-decoration:line-through}
.o8nb code{font-family:var(--jp-code-font-family,monospace);font-size:12px;\
overflow-wrap:anywhere;background:none;padding:0}
.o8nb .o8nb-badges{margin-top:2px}
.o8nb .o8nb-badge{display:inline-block;border:1px solid var(--jp-border-color2,#d0d0d0);\
border-radius:9px;padding:0 6px;margin:2px 4px 0 0;font-size:11px;line-height:16px;\
white-space:nowrap;max-width:24em;overflow:hidden;text-overflow:ellipsis;vertical-align:middle}
.o8nb .o8nb-section{margin-top:4px}
.o8nb .o8nb-section-label{font-size:11px;font-weight:600;margin:2px 0}
.o8nb .o8nb-lanes{display:flex;gap:8px;align-items:flex-start}
.o8nb .o8nb-lane{flex:1 1 0;min-width:8em;display:flex;flex-direction:column;gap:6px}
.o8nb .o8nb-lane-label{font-size:11px;color:var(--jp-ui-font-color2,#616161);\
border-bottom:1px dashed var(--jp-border-color2,#d0d0d0);overflow-wrap:anywhere}
.o8nb .o8nb-empty{font-size:11px;font-style:italic;color:var(--jp-ui-font-color3,#757575)}
.o8nb .o8nb-faded{opacity:0.6}
</style>"""
