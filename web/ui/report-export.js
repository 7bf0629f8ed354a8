// report-export.js — "Export report": the button and the masking checkbox beside the filter,
// and making the file: the core's report data (worker `report` request) embedded in the
// report template (docs/report.md), downloaded as flowlens-report-YYYYMMDD-HHMM.html.

import { h } from '../dom.js';
import { embedReportData, reportFileName } from '../report/embed.js';
import { reportTemplate } from '../report/template-source.js';

/**
 * Puts the controls at the end of `container` (the filter form). `onExport(mask)` runs when
 * the button is pressed; the button stays disabled (and says so) until it settles.
 * Returns { setEnabled(on) }.
 */
export function mountReportExport(container, onExport) {
  const mask = h('input', { type: 'checkbox', id: 'export-mask', dataset: { testid: 'export-mask' } });
  const button = h('button', {
    type: 'button',
    className: 'btn',
    id: 'export-report',
    dataset: { testid: 'export-report' },
    title: 'Save the current view (this filter) as one HTML file to share: charts, tables and findings, no raw records',
    disabled: true,
  }, 'Export report');
  const label = 'Export report';
  let enabled = false;
  let busy = false;
  const sync = () => { button.disabled = !enabled || busy; };
  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    sync();
    button.textContent = 'Exporting…';
    try {
      await onExport(mask.checked);
    } finally {
      busy = false;
      button.textContent = label;
      sync();
    }
  });
  container.append(h('span', { className: 'controls' },
    h('label', { htmlFor: 'export-mask', title: 'Replace every address and account id in the report with a pseudonym (internal-0001, external-0001, account-01)' },
      mask, ' Mask addresses and account ids'),
    button));
  return {
    setEnabled(on) {
      enabled = Boolean(on);
      sync();
    },
  };
}

/**
 * The report file for the engine's current data: { blob, name, size }.
 * `engine` is the EngineClient; `now` names the file (local time) and dates the report (UTC).
 */
export async function makeReport(engine, { filter, options, mask, now = new Date() }) {
  const [{ json }, template] = await Promise.all([
    engine.report(filter, options, mask, now.toISOString()),
    reportTemplate(),
  ]);
  const html = embedReportData(template, json);
  const blob = new Blob([html], { type: 'text/html;charset=utf-8' });
  return { blob, name: reportFileName(now), size: blob.size };
}

/** Saves `blob` as `name` (a download; nothing leaves the computer). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
