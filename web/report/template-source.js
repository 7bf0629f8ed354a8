// template-source.js — the report template for "Export report": reportTemplate() resolves to
// its HTML text. The build (web/report/build-template.mjs, reportTemplatePlugin) puts the
// template into the bundle gzipped and base64-encoded, so nothing is fetched: the same code
// works on a served page and in the single-file app.
import packed from 'flowlens:report-template';
import { decodeTemplate } from './embed.js';

let template = null;

export function reportTemplate() {
  template ??= decodeTemplate(packed).catch((err) => {
    template = null;
    throw err;
  });
  return template;
}
