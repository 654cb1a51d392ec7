import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReportData } from './collect-report.js';
import { CLIENT_SCRIPT } from './client-script.js';

const STYLE = `
body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #0f172a; background: #f8fafc; }
header { background: #0f172a; color: #f8fafc; padding: 16px 32px; }
header h1 { margin: 0; font-size: 20px; }
main { padding: 16px 32px; max-width: 1200px; }
section { background: white; border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px 24px 16px; margin: 16px 0; }
.chart { position: relative; height: 300px; margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #e2e8f0; padding: 4px 10px; text-align: right; }
th { background: #f1f5f9; }
.status-failed { color: #dc2626; font-weight: bold; }
pre { background: #f1f5f9; padding: 8px; overflow: auto; max-height: 400px; }
`;

/** One self-contained HTML file: Chart.js, the data and the drawing code inline, so it works offline. */
export async function renderReportHtml(data: ReportData): Promise<string> {
  const require = createRequire(import.meta.url);
  // The UMD build is not in chart.js's exports map; it sits beside the main entry in dist/.
  const chartJs = await readFile(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = `tinyforge report: ${escapeHtml(data.pipeline.name)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<header><h1>${title}</h1><div>${escapeHtml(data.pipeline.file)} · generated ${escapeHtml(data.pipeline.generatedAt)}</div></header>
<main id="content"></main>
<script id="report-data" type="application/json">${json}</script>
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
