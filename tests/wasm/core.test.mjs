// Node tests of the built WebAssembly module (wasm/API.md) against the native CLI.
//
//   node --test tests/wasm/
//
// FLOWLENS_WASM_DIR / FLOWLENS_CLI choose the builds (support.mjs). The key property: the module fed
// the same bytes, in any chunking, answers exactly what `flowlens analyze` prints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { cliPath, dataDir, DATA_FILES, DEFAULTS, loadBytes, newCore, root as repoRoot } from './support.mjs';

const loadFile = (core, file, opts) => loadBytes(core, file, fs.readFileSync(file), opts);

function cli(args, { allowFail = false } = {}) {
  const r = spawnSync(cliPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (!allowFail && r.status !== 0) throw new Error(`flowlens ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r;
}
const cliAnalyze = (files, args = []) => JSON.parse(cli(['analyze', ...args, ...files]).stdout);
const cliParse = (file, args = []) =>
  cli(['parse', ...args, file]).stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

// The CLI's one-line usage error, without its "flowlens: " prefix.
function cliError(args) {
  const r = cli(args, { allowFail: true });
  assert.equal(r.status, 2, `expected a usage error from flowlens ${args.join(' ')}`);
  return r.stderr.trim().replace(/^flowlens: /, '');
}

const analyze = (core, filter = '', options = {}) => JSON.parse(core.analyze(filter, { ...DEFAULTS, ...options }));

let tmp, sample, big;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowlens-wasm-'));
  sample = path.join(tmp, 'sample-20k.log');
  cli(['generate', '--records', '20000', '--seed', '3', '-o', sample]);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const inputs = () => [...DATA_FILES.map((f) => path.join(dataDir, f)), sample];

describe('module', () => {
  test('exports the API, HEAPU8, _malloc and _free', async () => {
    const core = await newCore();
    for (const fn of ['reset', 'expectBytes', 'beginFile', 'feed', 'endFile', 'endFileWith', 'loadedRecords', 'analyze',
      'reportData', 'records', 'recordsCsv', 'version', 'warmUp', 'warmUpAnalyses', 'warmUpFilters', 'topKeys', 'analyzeInParts', '_malloc', '_free']) {
      assert.equal(typeof core[fn], 'function', fn);
    }
    assert.ok(core.HEAPU8 instanceof Uint8Array);
    assert.equal(core.version(), cli(['--version']).stdout.trim().replace(/^flowlens /, ''));
  });

  // The warm-up's text as wasm/bindings.cpp makes it: wasm/warm-up.log's header, then its lines
  // over and over up to `records` lines; written to a file for the CLI (the independent path).
  function warmUpLog(records, name) {
    const [header, ...lines] = fs.readFileSync(path.join(repoRoot, 'wasm', 'warm-up.log'), 'utf8').split('\n').slice(0, -1);
    const out = [header];
    for (let i = 0; i < records; i += 1) out.push(lines[i % lines.length]);
    const file = path.join(tmp, name);
    fs.writeFileSync(file, `${out.join('\n')}\n`);
    return file;
  }

  test('warmUp analyses records of its own and leaves the loaded data as it was', async () => {
    // 5,000 records: 60 whole copies of warm-up.log's 82 lines and the first 80 again, so that a
    // lost or doubled tail shows; and fewer records than the log has.
    for (const [records, merge] of [[5000, false], [5000, true], [30, false]]) {
      const core = await newCore();
      loadFile(core, path.join(dataDir, 'messy.log'));
      const before = core.analyze('', DEFAULTS);
      const loaded = core.loadedRecords();
      const gen = warmUpLog(records, `warm-up-${records}.log`);
      const all = cliAnalyze([gen]).totals.records;
      const some = cliAnalyze([gen], ['--filter', 'action = REJECT or dstport in (22, 3389)']).totals.records;
      assert.equal(all, records);
      assert.ok(some > 0 && some < all);
      assert.equal(core.warmUp(records, merge), all + some, `${records} records, merge ${merge}`);
      assert.equal(core.loadedRecords(), loaded);
      assert.equal(core.analyze('', DEFAULTS), before);
    }
  });

  test('warmUpAnalyses analyses the warm-up\'s records again, each time, also after warmUpFilters', async () => {
    const core = await newCore();
    assert.equal(core.warmUpAnalyses(2), 0, 'nothing to analyse before warmUp');
    loadFile(core, path.join(dataDir, 'messy.log'));
    const before = core.analyze('', DEFAULTS);
    const once = core.warmUp(5000, false);
    assert.ok(once > 5000, `warmUp analysed the records and a filtered part: ${once}`);
    assert.equal(core.warmUpAnalyses(3), 3 * once, 'three rounds of the same analyses');
    assert.equal(core.warmUpAnalyses(1), once, 'the data set is kept between rounds');
    core.warmUpFilters(1);
    assert.equal(core.warmUpAnalyses(1), once, 'kept by warmUpFilters');
    assert.equal(core.analyze('', DEFAULTS), before);
  });

  test('warmUpFilters evaluates four filters on the warm-up\'s records and leaves the loaded data as it was', async () => {
    const core = await newCore();
    assert.equal(core.warmUpFilters(3), 0, 'nothing to evaluate before warmUp');
    loadFile(core, path.join(dataDir, 'messy.log'));
    const before = core.analyze('', DEFAULTS);
    const gen = warmUpLog(5000, 'warm-up-filters.log');
    const selected = ['action = REJECT', 'dstport in (22, 3389) or protocol = udp', 'addr in 10.0.2.0/24 and bytes > 100k',
      'srcaddr = 10.0.1.30'].map((f) => cliAnalyze([gen], ['--filter', f]).totals.records);
    assert.ok(selected.every((n) => n > 0), `each filter selects rows: ${selected}`);
    core.warmUp(5000, false);
    assert.equal(core.warmUpFilters(3), 3 * selected.reduce((a, b) => a + b, 0));
    assert.equal(core.warmUpFilters(1), selected.reduce((a, b) => a + b, 0), 'the warm-up\'s data set is kept');
    assert.equal(core.analyze('', DEFAULTS), before);
  });

  test('expectBytes changes room, never answers: right, absurd and too small figures', async () => {
    // 60,000 records (about 6.8 MB): past the 4 MiB after which the store reserves its rows. The
    // room itself shows in bench/wasm-node.mjs's wasm memory (5 M records: 312 MB without, 197 with).
    const gen = path.join(tmp, 'expect.log');
    cli(['generate', '--records', '60000', '--seed', '4', '-o', gen]);
    const bytes = fs.readFileSync(gen);
    const expected = cliAnalyze([gen]);
    for (const [label, figure] of [['none', 0], ['right', bytes.length], ['absurd', 1e15], ['small', 1000]]) {
      const core = await newCore();
      core.expectBytes(figure);
      loadBytes(core, gen, bytes, { chunk: 1 << 20 });
      assert.deepEqual(analyze(core), expected, label);
    }
  });

  test('sections "top": the totals and top lists of the full analysis, without timeseries and rejects', async () => {
    const core = await newCore();
    loadFile(core, sample);
    for (const [filter, options] of [['', {}], ['action = reject', { top: 3, keys: 'srcaddr,srcport', metric: 'records' }]]) {
      const full = analyze(core, filter, options);
      const top = analyze(core, filter, { ...options, sections: 'top' });
      assert.ok(full.timeseries && full.rejects);
      const { timeseries, rejects, ...rest } = full;
      assert.deepEqual(top, rest, filter);
    }
    assert.match(analyze(core, '', { sections: 'series' }).error.message, /sections must be "" \(everything\) or "top"/);
  });

  test('analyzeInParts: first the CLI\'s document without "rejects", then the whole of it', async () => {
    const core = await newCore();
    loadFile(core, sample);
    for (const [filter, options] of [['', {}], ['action = reject', { top: 3, metric: 'records' }], ['dstport = 1', {}]]) {
      const parts = [];
      const whole = JSON.parse(core.analyzeInParts(filter, { ...DEFAULTS, ...options }, (text) => parts.push(JSON.parse(text))));
      const args = ['--top', String(options.top ?? 10), '--metric', options.metric ?? 'bytes', ...(filter ? ['--filter', filter] : [])];
      const cliDoc = cliAnalyze([sample], args);
      assert.deepEqual(whole, cliDoc, filter);
      assert.equal(parts.length, 1, filter);
      const { rejects, ...rest } = cliDoc;
      assert.deepEqual(parts[0], rest, filter);
    }
    // No part on an error, nor when the report is not made.
    const parts = [];
    assert.match(JSON.parse(core.analyzeInParts('bogus = 1', DEFAULTS, (t) => parts.push(t))).error.message, /bogus/);
    assert.ok(JSON.parse(core.analyzeInParts('', { ...DEFAULTS, sections: 'top' }, (t) => parts.push(t))).top);
    assert.deepEqual(parts, []);
  });

  test('an empty data set analyses like the CLI given an empty file', async () => {
    const core = await newCore();
    const empty = path.join(tmp, 'empty.log');
    fs.writeFileSync(empty, '');
    const doc = analyze(core);
    assert.equal(doc.totals.records, 0);
    loadFile(core, empty);
    assert.deepEqual(analyze(core), cliAnalyze([empty]));
  });
});

describe('analyze equals the CLI', () => {
  for (const chunk of [1, 7, 65536]) {
    test(`each test file and a generated sample, fed in ${chunk}-byte chunks`, async () => {
      for (const file of inputs()) {
        // One-byte chunks over the 2 MB sample cost ~2 M calls: the small files cover that size.
        if (chunk === 1 && file === sample) continue;
        const core = await newCore();
        const report = loadFile(core, file, { chunk });
        const expected = cliAnalyze([file]);
        assert.deepEqual(report, expected.errors.files[0], `${file}: endFile report`);
        assert.deepEqual(analyze(core), expected, `${path.basename(file)} in ${chunk}-byte chunks`);
        assert.equal(core.loadedRecords(), expected.totals.loaded_records);
      }
    });
  }

  test('the sample in 4093-byte chunks (a prime: lines split everywhere)', async () => {
    const core = await newCore();
    loadFile(core, sample, { chunk: 4093 });
    assert.deepEqual(analyze(core), cliAnalyze([sample]));
  });

  const FILTERS = [
    'action = REJECT',
    'addr in 10.0.0.0/8 and dstport = 443',
    'protocol = udp or (port in (22, 3389) and not action = ACCEPT)',
    'bytes > 1M',
    'srcaddr != 10.0.0.0/8 and log-status = OK',
    'start >= 2024-05-01T10:00:00Z',
    'dstport = 65535 or action = reject',
  ];
  test('with filters, on the sample and every test file', async () => {
    const core = await newCore();
    loadFile(core, sample);
    for (const filter of FILTERS) {
      assert.deepEqual(analyze(core, filter), cliAnalyze([sample], ['--filter', filter]), filter);
    }
    for (const file of inputs().slice(0, -1)) {
      const small = await newCore();
      loadFile(small, file, { chunk: 7 });
      for (const filter of FILTERS.slice(0, 3)) {
        const r = cli(['analyze', '--filter', filter, file], { allowFail: true });
        const expected = r.status === 0 ? JSON.parse(r.stdout) : null;
        if (expected) assert.deepEqual(analyze(small, filter), expected, `${filter} on ${file}`);
        else assert.ok(analyze(small, filter).error, `${filter} on ${file}: the CLI refused it`);
      }
    }
  });

  test('with every option', async () => {
    const core = await newCore();
    loadFile(core, sample);
    const cases = [
      [{ top: 3, metric: 'packets' }, ['--top', '3', '--metric', 'packets']],
      [{ metric: 'records', bucket: 3600 }, ['--metric', 'records', '--bucket', '3600']],
      [{ keys: 'srcaddr,dstport;conversation; protocol' },
        ['--key', 'srcaddr,dstport', '--key', 'conversation', '--key', ' protocol']],
      [{ scanPorts: 3, scanHosts: 2, top: 1 }, ['--scan-ports', '3', '--scan-hosts', '2', '--top', '1']],
      [{ scanPorts: 0, scanHosts: 0 }, ['--scan-ports', '0', '--scan-hosts', '0']],
    ];
    for (const [options, args] of cases) {
      assert.deepEqual(analyze(core, 'action = REJECT', options),
        cliAnalyze([sample], ['--filter', 'action = REJECT', ...args]), JSON.stringify(options));
    }
  });

  test('topKeys lists the top lists the CLI computes by default, for each test file', async () => {
    for (const file of inputs()) {
      const core = await newCore();
      assert.deepEqual(JSON.parse(core.topKeys()), [], 'nothing loaded, no keys');
      loadFile(core, file);
      const keys = JSON.parse(core.topKeys());
      assert.deepEqual(keys, Object.keys(cliAnalyze([file]).top), path.basename(file));
      // And a subset asked for by name is what the full analysis has for those keys.
      const some = keys.filter((k, i) => i % 2 === 1);
      if (some.length === 0) continue;
      const part = analyze(core, '', { keys: some.join(';'), sections: 'top' });
      const full = analyze(core, '');
      assert.deepEqual(Object.keys(part.top), some);
      for (const k of some) assert.deepEqual(part.top[k], full.top[k], `${path.basename(file)} ${k}`);
    }
  });

  test('several files in one data set', async () => {
    const core = await newCore();
    const files = inputs();
    const reports = files.map((f, i) => loadFile(core, f, { chunk: [7, 65536, 1000][i % 3] }));
    const expected = cliAnalyze(files);
    assert.deepEqual(reports, expected.errors.files);
    assert.deepEqual(analyze(core), expected);
    for (const filter of ['action = REJECT', 'file = messy.log or file = *.json*', 'addr in 10.0.0.0/8 and dstport = 443']) {
      assert.deepEqual(analyze(core, filter), cliAnalyze(files, ['--filter', filter]), filter);
    }
  });

  test('a header-less file with the field list given to beginFile, as --fields', async () => {
    const lines = fs.readFileSync(path.join(dataDir, 'documented-v5.log'), 'utf8').split('\n');
    const noHeader = path.join(tmp, 'v5-noheader.log');
    fs.writeFileSync(noHeader, lines.slice(1).join('\n'));
    const core = await newCore();
    loadFile(core, noHeader, { fields: lines[0], chunk: 7 });
    assert.deepEqual(analyze(core), cliAnalyze([noHeader], ['--fields', lines[0]]));
  });

  test('gzip bytes, fed as they are on disk, read as the CLI reading the same .gz', async () => {
    // The core inflates with the CLI's code (zlib built into the module): every shape a .gz
    // file comes in, whole and damaged, at chunk sizes that cut the gzip header and members.
    const text = fs.readFileSync(sample);
    const half = text.indexOf('\n', text.length >> 1) + 1;
    const gz = zlib.gzipSync(text);
    const shapes = {
      'one.log.gz': gz,
      'members.log.gz': Buffer.concat([zlib.gzipSync(text.subarray(0, half)), zlib.gzipSync(text.subarray(half))]),
      'padded.log.gz': Buffer.concat([gz, Buffer.alloc(512)]),
      'junk-after.log.gz': Buffer.concat([gz, Buffer.from('not gzip\n')]),
      'corrupt.log.gz': Buffer.concat([gz.subarray(0, 4000), Buffer.alloc(64, 0x55), gz.subarray(4064)]),
      'truncated.log.gz': gz.subarray(0, gz.length - 100),
      'header-only.log.gz': gz.subarray(0, 6),
    };
    for (const [name, bytes] of Object.entries(shapes)) {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, bytes);
      const expected = cliAnalyze([file]);
      for (const chunk of [3, 4096, 1 << 20]) {
        const core = await newCore();
        const report = loadBytes(core, file, bytes, { chunk });
        assert.deepEqual(report, expected.errors.files[0], `${name}, chunks of ${chunk}`);
        assert.deepEqual(analyze(core), expected, `${name}, chunks of ${chunk}`);
      }
    }
  });
});

describe('errors are values', () => {
  const BAD_FILTERS = ['actoin = REJECT', 'dstport >= ', 'srcaddr < 10.0.0.1', 'action = maybe', '(port = 1',
    'dstport = 70000', 'bytes > 1X', 'and', 'file'];
  test('a filter error has the CLI\'s position and message, from analyze, records and recordsCsv', async () => {
    const core = await newCore();
    loadFile(core, sample);
    for (const filter of BAD_FILTERS) {
      const m = /^filter error at position (\d+): (.*)$/s.exec(cliError(['analyze', '--filter', filter, sample]));
      assert.ok(m, `CLI message for ${filter}`);
      const expected = { error: { position: Number(m[1]), message: m[2] } };
      assert.deepEqual(JSON.parse(core.analyze(filter, DEFAULTS)), expected, filter);
      assert.deepEqual(JSON.parse(core.records(filter, 0, 10)), expected, filter);
      assert.deepEqual(JSON.parse(core.recordsCsv(filter, 0, 10)), expected, filter);
    }
    // The instance is still fine, and the cached selection was not disturbed.
    assert.deepEqual(analyze(core), cliAnalyze([sample]));
  });

  test('a bad option is {"error":{"message"}} with the CLI\'s message where it has one', async () => {
    const core = await newCore();
    loadFile(core, sample);
    const bad = (options) => JSON.parse(core.analyze('', { ...DEFAULTS, ...options }));
    // The CLI names its option --metric; the module's option is `metric`.
    const metricError = cliError(['analyze', '--metric', 'octets', sample]).replace(/^--/, '');
    assert.deepEqual(bad({ metric: 'octets' }), { error: { message: metricError } });
    assert.deepEqual(bad({ keys: 'nosuchfield' }), { error: { message: cliError(['analyze', '--key', 'nosuchfield', sample]) } });
    assert.deepEqual(bad({ keys: 'a,b,c' }), { error: { message: cliError(['analyze', '--key', 'a,b,c', sample]) } });
    for (const top of [0, -1, 100001]) assert.match(bad({ top }).error.message, /^top must be between 1 and 100000/);
    assert.equal(bad({ top: 100000 }).error, undefined);
    // A missing field is a JS TypeError thrown by Embind before the call: nothing reaches C++.
    assert.throws(() => core.analyze('', { top: 10 }), { name: 'TypeError', message: /Missing field/ });
  });

  test('a bad field list in beginFile is an error message and starts no file', async () => {
    const core = await newCore();
    for (const fields of ['srcaddr srcaddr', '${version} ${version}', ' ']) {
      const message = core.beginFile('x.log', fields);
      assert.equal(message, cliError(['analyze', '--fields', fields, sample]), JSON.stringify(fields));
      assert.ok(JSON.parse(core.endFile()).error, 'no file was started');
    }
    assert.deepEqual(analyze(core).errors.files, []);
  });


  test('a corrupt stream reported by the page lands in the file\'s error; the core\'s own error wins', async () => {
    const core = await newCore();
    const text = fs.readFileSync(path.join(dataDir, 'documented-default.log'));
    let r = loadBytes(core, 'a.log.gz', text, { end: (c) => c.endFileWith(true, 123, 'gzip: incorrect header check') });
    assert.deepEqual([r.gzip, r.bytes, r.records, r.error], [true, 123, 7, 'gzip: incorrect header check']);
    const broken = zlib.gzipSync(text).subarray(0, 40);
    r = loadBytes(core, 'b.log', broken, { end: (c) => c.endFileWith(false, 0, 'read error') });
    assert.equal(r.gzip, true);
    assert.match(r.error, /^gzip stream ends early/);
    assert.deepEqual(analyze(core).errors.files.map((f) => f.error), ['gzip: incorrect header check', r.error]);
  });

  test('calls out of order are refused, not crashes', async () => {
    const core = await newCore();
    assert.deepEqual(JSON.parse(core.endFile()), { error: 'no file is being loaded' });
    core.feed(0, 0);  // no file open: ignored
    assert.equal(core.beginFile('a.log', ''), '');
    assert.match(core.beginFile('b.log', ''), /already being loaded/);
    for (const out of [core.analyze('', DEFAULTS), core.records('', 0, 1), core.recordsCsv('', 0, 1)]) {
      assert.match(JSON.parse(out).error.message, /endFile/);
    }
    core.endFile();
    assert.equal(analyze(core).errors.files.length, 1);
  });
});

describe('reportData equals the report the CLI embeds', () => {
  const MARKER = '__FLOWLENS_REPORT_DATA__';
  const PREFIX = '<html><script type="application/json" id="flowlens-report-data">';
  const SUFFIX = '</script></html>';
  const AT = '2026-11-23T08:00:00.000Z';
  let template;
  before(() => {
    template = path.join(tmp, 'report-template.html');
    fs.writeFileSync(template, PREFIX + MARKER + SUFFIX);
  });

  // `flowlens report` with the tiny template, and the report data cut back out of its HTML.
  function cliReport(files, args = []) {
    const out = path.join(tmp, 'report.html');
    cli(['report', '--template', template, '-o', out, ...args, ...files]);
    const html = fs.readFileSync(out, 'utf8');
    assert.ok(html.startsWith(PREFIX) && html.endsWith(SUFFIX), 'the template around the data is intact');
    return JSON.parse(html.slice(PREFIX.length, html.length - SUFFIX.length));
  }
  const reportData = (core, filter, options, mask) =>
    JSON.parse(core.reportData(filter, { ...DEFAULTS, ...options }, mask, AT));

  const CASES = [
    ['', {}, []],
    ['action = REJECT or addr in 10.0.0.0/8 or addr = 198.51.100.7 or account-id = 123456789010', {}, []],
    ['not addr in fd5e:4a71:9c20::/48', { top: 3, metric: 'records', keys: 'srcaddr;conversation;account-id;pkt-srcaddr', scanPorts: 5, scanHosts: 5 },
      ['--top', '3', '--metric', 'records', '--key', 'srcaddr', '--key', 'conversation', '--key', 'account-id',
        '--key', 'pkt-srcaddr', '--scan-ports', '5', '--scan-hosts', '5']],
  ];

  test('every test file and the sample in one data set, masked and unmasked, with filters and options', async () => {
    const core = await newCore();
    const files = inputs();
    files.forEach((f, i) => loadFile(core, f, { chunk: [7, 65536][i % 2] }));
    const version = core.version();
    for (const [filter, options, args] of CASES) {
      const cliArgs = [...(filter ? ['--filter', filter] : []), ...args];
      const plain = reportData(core, filter, options, false);
      const masked = reportData(core, filter, options, true);
      const cliPlain = cliReport(files, cliArgs);
      const cliMasked = cliReport(files, ['--mask', ...cliArgs]);
      assert.deepEqual(plain.report, { generated_at: AT, generated_by: 'page', flowlens_version: version, masked: false });
      assert.deepEqual(masked.report, { generated_at: AT, generated_by: 'page', flowlens_version: version, masked: true });
      assert.deepEqual({ ...cliMasked.report, generated_at: AT },
        { generated_at: AT, generated_by: 'cli', flowlens_version: version, masked: true });
      assert.deepEqual(plain.analysis, cliPlain.analysis, `unmasked: ${filter}`);
      assert.deepEqual(plain.analysis, cliAnalyze(files, cliArgs), `unmasked = analyze: ${filter}`);
      // The same pseudonyms on both sides, not merely the same shape.
      assert.deepEqual(masked.analysis, cliMasked.analysis, `masked: ${filter}`);
      // And masking did its job: no source address of the unmasked lists is left.
      const text = JSON.stringify(masked);
      const sources = plain.analysis.top.srcaddr.rows.map((r) => r.key[0]).filter((k) => k !== '-');
      assert.ok(sources.length > 0);
      for (const a of sources) assert.ok(!text.includes(a), `${a} left in the masked report`);
      assert.ok(!text.includes('123456789010'), 'account id left in the masked report');
      assert.match(masked.analysis.top.srcaddr.rows[0].key[0], /^(internal|external)-\d{4}$/);
    }
  });

  test('a filter or option error is the analyze error document; refused while a file is open', async () => {
    const core = await newCore();
    loadFile(core, sample);
    for (const filter of ['dstport >', 'actoin = REJECT']) {
      assert.deepEqual(JSON.parse(core.reportData(filter, DEFAULTS, true, AT)), JSON.parse(core.analyze(filter, DEFAULTS)));
    }
    assert.deepEqual(JSON.parse(core.reportData('', { ...DEFAULTS, metric: 'octets' }, false, AT)),
      JSON.parse(core.analyze('', { ...DEFAULTS, metric: 'octets' })));
    assert.equal(core.beginFile('more.log', ''), '');
    assert.match(JSON.parse(core.reportData('', DEFAULTS, false, AT)).error.message, /endFile/);
    core.endFile();
  });
});

describe('records and recordsCsv', () => {
  let core, rows;
  before(async () => {
    core = await newCore();
    loadFile(core, sample);
    rows = cliParse(sample);
  });

  test('pages through every record exactly as `flowlens parse` prints them', () => {
    const seen = [];
    for (let offset = 0; offset < rows.length; offset += 1789) {
      const page = JSON.parse(core.records('', offset, 1789));
      assert.equal(page.total, rows.length);
      assert.equal(page.offset, offset);
      assert.deepEqual(page.fields, Object.keys(rows[0]));
      seen.push(...page.rows);
    }
    assert.deepEqual(seen, rows);
  });

  test('a filtered page holds the matching records in order, and total matches analyze', () => {
    const filter = 'action = REJECT and dstport < 1024';
    const expected = rows.filter((r) => r.action === 'REJECT' && r.dstport !== null && r.dstport < 1024);
    assert.ok(expected.length > 10);
    const all = JSON.parse(core.records(filter, 0, 1e9));
    assert.equal(all.total, expected.length);
    assert.equal(all.total, analyze(core, filter).totals.records);
    assert.deepEqual(all.rows, expected);
    const page = JSON.parse(core.records(filter, 5, 3));
    assert.deepEqual(page.rows, expected.slice(5, 8));
  });

  test('offset and limit are clamped', () => {
    const total = rows.length;
    const past = JSON.parse(core.records('', total + 10, 5));
    assert.deepEqual([past.total, past.offset, past.rows.length], [total, total, 0]);
    for (const [offset, limit] of [[-5, 2], [NaN, 2], [0, -1], [0, NaN], [total - 1, Infinity]]) {
      const page = JSON.parse(core.records('', offset, limit));
      const o = Number.isFinite(offset) && offset > 0 ? offset : 0;
      const l = limit > 0 ? Math.min(limit, total - o) : 0;
      assert.deepEqual(page.rows, rows.slice(o, o + l), `${offset}, ${limit}`);
    }
  });

  test('recordsCsv: a header on the first page only, CRLF lines, values as parse has them', () => {
    const csv = core.recordsCsv('action = ACCEPT', 0, 4);
    const lines = csv.split('\r\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 5);
    assert.equal(lines[0], Object.keys(rows[0]).join(','));
    const accepted = rows.filter((r) => r.action === 'ACCEPT');
    const asCsv = (r) => Object.values(r).map((v) => (v === null ? '-' : String(v))).join(',');
    assert.deepEqual(lines.slice(1), accepted.slice(0, 4).map(asCsv));
    const next = core.recordsCsv('action = ACCEPT', 4, 2).split('\r\n');
    assert.deepEqual(next, [...accepted.slice(4, 6).map(asCsv), '']);
    assert.equal(core.recordsCsv('action = ACCEPT', accepted.length, 5), '');
    assert.equal(core.recordsCsv('action = ACCEPT and action = REJECT', 0, 5), lines[0] + '\r\n');
  });

  test('the cached selection never outlives its data', async () => {
    const c = await newCore();
    const text = fs.readFileSync(path.join(dataDir, 'documented-default.log'), 'utf8');
    loadBytes(c, 'a.log', Buffer.from(text));
    const before = JSON.parse(c.records('action = ACCEPT', 0, 100));
    c.reset();
    assert.equal(c.loadedRecords(), 0);
    // Same size and row count, different values: a cache keyed on the row count would lie.
    loadBytes(c, 'a.log', Buffer.from(text.replaceAll('ACCEPT', 'REJECT').replaceAll(' REJECT OK', ' ACCEPT OK')));
    const afterReset = JSON.parse(c.records('action = ACCEPT', 0, 100));
    assert.notDeepEqual(afterReset.rows, before.rows);
    assert.ok(afterReset.rows.every((r) => r.action === 'ACCEPT'));
    // A further file that adds no rows can still add a column: the selection is recomputed.
    loadBytes(c, 'header-only.log', Buffer.from('version vpc-id srcaddr\n'));
    assert.ok(JSON.parse(c.records('action = ACCEPT', 0, 1)).fields.includes('vpc-id'));
  });

  test('conditions kept from earlier filters never outlive their data', async () => {
    // The core keeps the rows of recent filters' conditions (ConditionCache): a filter adding a
    // condition to an earlier one reuses the earlier one's rows, but never across data sets.
    const a = path.join(tmp, 'cond-a.log');
    const b = path.join(tmp, 'cond-b.log');
    cli(['generate', '--records', '3000', '--seed', '11', '-o', a]);
    cli(['generate', '--records', '3000', '--seed', '12', '-o', b]);
    const c = await newCore();
    const chain = ['action = REJECT', 'dstport < 1024', 'protocol = tcp'];
    for (const file of [a, b, a]) {
      c.reset();
      loadFile(c, file);
      for (let k = 1; k <= chain.length; k += 1) {
        const filter = chain.slice(0, k).join(' and ');
        assert.equal(JSON.parse(c.records(filter, 0, 1)).total, cliAnalyze([file], ['--filter', filter]).totals.records,
          `${path.basename(file)}: ${filter}`);
      }
      // The conditions again in another order, and one dropped.
      for (const filter of ['protocol = tcp and action = REJECT', 'dstport < 1024 and protocol = tcp']) {
        assert.deepEqual(analyze(c, filter), cliAnalyze([file], ['--filter', filter]), `${path.basename(file)}: ${filter}`);
      }
    }
  });
});

describe('reject reports kept by their rejected rows', () => {
  test('a filter with the same rejected rows as an earlier one shows what the CLI shows', async () => {
    // The core reuses a reject report when the rejected rows are the same (RejectMemo): after the
    // whole data set, `action = REJECT` and `… or action = reject` select the same rejected rows
    // but different accepted ones, so the scanners' accepted records must be counted anew.
    const file = path.join(tmp, 'memo.log');
    cli(['generate', '--records', '20000', '--seed', '5', '-o', file]);
    const c = await newCore();
    loadFile(c, file);
    const chain = ['', 'action = REJECT', 'dstport = 443 or action = reject', '', 'dstport < 1024',
      'dstport < 1024 and action = REJECT', 'not action = ACCEPT and dstport < 1024', 'dstport < 1024'];
    let scanners = 0;
    for (const filter of chain) {
      const expected = cliAnalyze([file], ['--filter', filter]);
      assert.deepEqual(analyze(c, filter), expected, filter);
      scanners += expected.rejects.scanners.length;
    }
    assert.ok(scanners > 0, 'the data have scanners');
    const accepted = cliAnalyze([file]).rejects.scanners.some((x) => x.accepted_records > 0);
    assert.ok(accepted, 'some scanner got through in the whole data set');
  });
});

describe('memory growth', () => {
  test('500k records (~56 MB) in 1 MiB chunks through one buffer, then analyze', async (t) => {
    big = path.join(tmp, 'big-500k.log');
    cli(['generate', '--records', '500000', '--seed', '3', '-o', big]);
    const bytes = fs.readFileSync(big);
    const core = await newCore();
    const heapBefore = core.HEAPU8.buffer.byteLength;
    const chunk = 1 << 20;
    const ptr = core._malloc(chunk) >>> 0;
    const staleView = core.HEAPU8;
    const t0 = performance.now();
    assert.equal(core.beginFile(big, ''), '');
    for (let off = 0; off < bytes.length; off += chunk) {
      const piece = bytes.subarray(off, off + chunk);
      core.HEAPU8.set(piece, ptr);  // never a view kept from before the last call
      core.feed(ptr, piece.length);
    }
    const report = JSON.parse(core.endFile());
    const loadMs = performance.now() - t0;
    core._free(ptr);
    assert.equal(report.records, 500000);
    assert.equal(core.loadedRecords(), 500000);
    assert.ok(core.HEAPU8.buffer.byteLength > heapBefore, 'the heap grew');
    assert.equal(staleView.byteLength, 0, 'growth detached the old view');

    const t1 = performance.now();
    const doc = analyze(core);
    const analyzeMs = performance.now() - t1;
    assert.deepEqual(doc, cliAnalyze([big]));
    const t2 = performance.now();
    const rejects = analyze(core, 'action = REJECT and port in (22, 3389)');
    const filterMs = performance.now() - t2;
    assert.deepEqual(rejects, cliAnalyze([big], ['--filter', 'action = REJECT and port in (22, 3389)']));
    const mb = bytes.length / 1e6;
    t.diagnostic(`wasm load: ${mb.toFixed(1)} MB in ${loadMs.toFixed(0)} ms = ${(mb / loadMs * 1000).toFixed(0)} MB/s; ` +
      `analyze ${analyzeMs.toFixed(0)} ms; filtered analyze ${filterMs.toFixed(0)} ms; ` +
      `heap ${(core.HEAPU8.buffer.byteLength / 2 ** 20).toFixed(0)} MiB`);
  });
});
