// The frame every page of the web UI shares (landing page, rule pages, not-found page): one inline stylesheet
// whose hash is in the CSP, no script, no external asset.
import { escapeHtml as e } from './html-text.js';
import { PAGE_STYLE } from './html-style.js';

export interface HtmlOptions {
  /** Where the metrics are served (--web.telemetry-path). */
  telemetryPath: string;
  reportPath?: string;
  buildInfo?: { version: string; revision: string; nodejs: string };
}

/** `title` and `heading` are text (escaped here); `body` is markup. */
export function page(title: string, options: HtmlOptions, body: string, heading = title): string {
  const reportPath = options.reportPath ?? '/report.json';
  const build = options.buildInfo ? `kata-audit ${e(options.buildInfo.version)} (${e(options.buildInfo.revision)}, Node.js ${e(options.buildInfo.nodejs)})` : 'kata-audit';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kata-audit: ${e(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>kata-audit <span>${e(heading)}</span></h1>
<nav><a href="/">Node</a><a href="/#sandboxes">Sandboxes</a><a href="/#findings">Findings</a><a href="/#host">Host</a><a href="${e(options.telemetryPath)}">Metrics</a><a href="${e(reportPath)}">Report (JSON)</a></nav></header>
<main>
${body}
</main>
<footer>${build}. Every number on this page is also a metric at <a href="${e(options.telemetryPath)}">${e(options.telemetryPath)}</a>.</footer>
</body>
</html>
`;
}
