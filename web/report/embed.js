// embed.js — making a report file from the template and the core's report data (docs/report.md).
// Pure (no DOM): used by the page's "Export report" and by the unit tests.
//
// The template (dist/report-template.html) holds exactly one marker inside
// <script type="application/json" id="flowlens-report-data">; embedding replaces it with the
// report data JSON. The core's JSON writer already escapes < > & as \u003c \u003e \u0026; this
// module escapes them again (a no-op on the core's text) so that no JSON given to it, whoever
// made it, can close the script element or start markup.

export const MARKER = '__FLOWLENS_REPORT_DATA__';

/** `<`, `>`, `&` as JSON escapes. They only occur inside JSON strings, so the JSON stays valid. */
export function escapeJsonForHtml(json) {
  return String(json).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Number of marker occurrences in `text`. */
export function countMarkers(text) {
  let n = 0;
  for (let i = text.indexOf(MARKER); i !== -1; i = text.indexOf(MARKER, i + MARKER.length)) n += 1;
  return n;
}

/**
 * The report file: `template` with its one marker replaced by `json` (a string: the core's
 * report data). Throws when the template does not hold exactly one marker, or when `json` is
 * not a JSON object (an engine error document is refused too).
 */
export function embedReportData(template, json) {
  const markers = countMarkers(template);
  if (markers !== 1) {
    throw new Error(`the report template must hold the data marker exactly once (found ${markers})`);
  }
  const text = String(json);
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the report data is not JSON: ${err.message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || doc.error || !doc.analysis) {
    throw new Error('the report data has no analysis');
  }
  const safe = escapeJsonForHtml(text);
  // A function replacer: the JSON may hold `$&`, `$1`, `$$`… which a string replacement expands.
  return template.replace(MARKER, () => safe);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** `flowlens-report-YYYYMMDD-HHMM.html` for `date` in the user's local time. */
export function reportFileName(date = new Date()) {
  return `flowlens-report-${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}` +
    `-${pad(date.getHours())}${pad(date.getMinutes())}.html`;
}

/**
 * The template as the build stores it in the page's bundle (gzip, then base64: a quarter of
 * the size, and no `<` that could end the single-file app's inline script) → its HTML text.
 */
export async function decodeTemplate(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}
