// The landing page's only stylesheet, inline. Its hash goes into the Content-Security-Policy, so the page
// needs neither 'unsafe-inline' nor any external asset: injected markup could not bring its own styles.
import { createHash } from 'node:crypto';

export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--head:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--head:#151b23;--link:#4493f8}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:1rem 1.5rem 3rem;max-width:1400px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:1rem;border-bottom:1px solid var(--line);padding-bottom:.5rem}
h1{font-size:1.5rem;margin:0}h1 span{color:var(--muted);font-weight:400}
h2{font-size:1.2rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
nav a{margin-right:1rem}a{color:var(--link)}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.id,td.rule{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.sev{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.85em;font-weight:600;color:#fff;background:#6e7781}
.sev-critical{background:#8b0000}.sev-high{background:#cf222e}.sev-medium{background:#bc4c00}.sev-low{background:#9a6700}.sev-info{background:#0969da}
.bad{color:#cf222e;font-weight:600}.ok{color:#1a7f37}.muted{color:var(--muted)}
.counts span{margin-right:.75rem}
details{border:1px solid var(--line);border-radius:6px;padding:.25rem .75rem;margin:.5rem 0}
summary{cursor:pointer;font-weight:600}
footer{margin-top:2rem;color:var(--muted);font-size:.85em}
`;

/** CSP source for the style element above. */
export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/** The page's policy: nothing loads, only the hashed stylesheet applies. */
export const PAGE_CSP = `default-src 'none'; style-src ${PAGE_STYLE_HASH}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
