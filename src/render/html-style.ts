// The web UI's only stylesheet, inline. Its hash goes into the Content-Security-Policy, so the pages need
// neither 'unsafe-inline' nor any external asset: injected markup could not bring its own styles. The diagrams
// colour themselves with SVG presentation attributes, which CSP does not treat as styles.
//
// No layout breaks: long tokens (paths, ids, evidence) wrap anywhere instead of widening their table; below
// 720 px the wide tables become stacked cards, each cell labelled by its data-label; a diagram keeps a readable
// minimum width and scrolls inside its own frame, never the page.
import { createHash } from 'node:crypto';

export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--head:#f6f8fa;--link:#0969da;--panel:#fbfcfd}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--head:#151b23;--link:#4493f8;--panel:#10151c}}
*,*::before,*::after{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:1rem 1.5rem 3rem;max-width:1400px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1rem;border-bottom:1px solid var(--line);padding-bottom:.5rem}
h1{font-size:1.5rem;margin:0;overflow-wrap:anywhere}h1 span{color:var(--muted);font-weight:400}
h2{font-size:1.2rem;margin:2rem 0 .5rem}h3{font-size:1.05rem;margin:1rem 0 .25rem;overflow-wrap:anywhere}h4{font-size:.95rem;margin:.75rem 0 .25rem}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}a{color:var(--link)}
p,li,dd{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--head);font-weight:600;overflow-wrap:normal}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.rule,td.nowrap{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem 1rem;margin:.5rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;min-width:0}
.sev{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.85em;font-weight:600;color:#fff;background:#6e7781;white-space:nowrap}
.sev-critical{background:#8b0000}.sev-high{background:#cf222e}.sev-medium{background:#bc4c00}.sev-low{background:#9a6700}.sev-info{background:#0969da}
.bad{color:#cf222e;font-weight:600}.ok{color:#1a7f37}.muted{color:var(--muted)}
.counts span{margin-right:.75rem}
.mark{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.8em;font-weight:700;text-transform:uppercase;color:#fff;background:#cf222e;white-space:nowrap}
.mark-unknown{background:#9a6700}
tr.lookalike td{background:rgba(207,34,46,.07)}
.claims{white-space:nowrap}
.legend{color:var(--muted);font-size:.9em;max-width:75em}
ul.places,ul.sandbox-findings{margin:.25rem 0 0;padding-left:1.1rem}
ul.places li,ul.sandbox-findings li{margin:.15rem 0}
.evidence{color:var(--muted)}
.ack{display:inline-block;font-size:.9em;padding:0 .35rem;border:1px dashed var(--muted);border-radius:.3rem}
.remediation code{background:var(--head);padding:0 .2em;border-radius:.2em}
section.panel{border:1px solid var(--line);border-radius:6px;padding:.25rem .9rem .5rem;margin:1rem 0;background:var(--panel)}
section.panel.lookalike{border:2px solid #cf222e}
section.panel:target{outline:3px solid var(--link);outline-offset:2px}
.full-id{color:var(--muted);margin:0}
figure.tm{margin:.5rem 0;overflow-x:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
figure.tm svg{display:block;width:100%;max-width:980px;height:auto;min-width:560px}
details{border:1px solid var(--line);border-radius:6px;padding:.25rem .75rem;margin:.5rem 0}
summary{cursor:pointer;font-weight:600}
footer{margin-top:2rem;color:var(--muted);font-size:.85em}
@media (max-width:720px){
body{padding:.75rem .75rem 2rem}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards thead{display:none}
table.cards tr{border:1px solid var(--line);border-radius:6px;margin:0 0 .6rem;padding:.2rem 0}
table.cards td{border:0;padding:.15rem .6rem}
table.cards td.num{text-align:left}
table.cards td::before{content:attr(data-label);display:block;color:var(--muted);font-size:.8em;font-weight:600}
td.rule{white-space:normal}
}
`;

/** CSP source for the style element above. */
export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/** The page's policy: nothing loads, only the hashed stylesheet applies. */
export const PAGE_CSP = `default-src 'none'; style-src ${PAGE_STYLE_HASH}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
