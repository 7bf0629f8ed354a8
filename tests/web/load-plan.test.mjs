// Sharing a load among parse workers (web/load-plan.js): order, coverage, cuts, weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describeFiles, planLoad, mergePartReports, jobBytes, expectedBytes, skippedJobReport, parseWorkers, mostParseWorkers, MIN_PART_BYTES, GZIP_WEIGHT, MAX_PARSE_WORKERS } from '../../web/load-plan.js';

const MB = 1 << 20;
// A stand-in for a File of `size` bytes: planLoad reads only size, name and what describeFiles found.
const desc = (index, size, { splittable = true, gzip = false } = {}) => ({
  file: { size }, name: `f${index}.log`, index, size, weight: gzip ? size * GZIP_WEIGHT : size, gzip,
  splittable: splittable && !gzip, firstLine: 'version account-id',
});

// Every byte of every file is in exactly one job, in file order, and parts of one file are
// consecutive ranges from 0 to its size.
function assertCovers(shares, files) {
  const jobs = shares.flat();
  let i = 0;
  for (const f of files) {
    let at = 0;
    while (i < jobs.length && jobs[i].index === f.index) {
      const j = jobs[i];
      if (j.part) {
        assert.equal(j.part.offset, at, `file ${f.index}: parts are consecutive`);
        assert.ok(j.part.end > j.part.offset);
        assert.equal(j.part.firstLine, f.firstLine);
        at = j.part.end;
      } else {
        assert.equal(at, 0, `file ${f.index}: a whole-file job is its only job`);
        at = f.size;
      }
      i += 1;
    }
    assert.equal(at, f.size, `file ${f.index} is covered to its end`);
  }
  assert.equal(i, jobs.length, 'no job for an unknown file, and none out of order');
}

test('load_plan.small_loads_stay_in_one_worker', () => {
  const files = [desc(0, 3 * MB), desc(1, 5 * MB)];
  const shares = planLoad(files, 4);
  assert.equal(shares.length, 1);
  assert.deepEqual(shares[0].map((j) => [j.index, j.part]), [[0, null], [1, null]]);
  assert.equal(planLoad([desc(0, 500 * MB)], 1).length, 1, 'one worker: one share');
  assert.deepEqual(planLoad([], 4), []);
});

test('load_plan.the_threshold_is_work_so_small_gzip_files_share', () => {
  // 4 files of 1.5 MB gzipped: 6 MB on disk, 6 * GZIP_WEIGHT MB of work (about 48 MB of text to
  // inflate and parse).
  const gz = [0, 1, 2, 3].map((i) => desc(i, 1.5 * MB, { gzip: true }));
  const shares = planLoad(gz, 2);
  assert.equal(shares.length, 2);
  assert.deepEqual(shares.map((s) => s.map((j) => j.index)), [[0, 1], [2, 3]]);
  // The same 6 MB of plain text is little work: one worker.
  assert.equal(planLoad([0, 1, 2, 3].map((i) => desc(i, 1.5 * MB)), 2).length, 1);
});

test('load_plan.one_large_file_is_cut_into_equal_parts', () => {
  const size = 117 * MB + 5;
  const files = [desc(0, size)];
  const two = planLoad(files, 2);
  assert.equal(two.length, 2);
  assert.deepEqual(two.map((s) => s.map((j) => j.part && [j.part.offset, j.part.end])),
    [[[0, Math.round(size / 2)]], [[Math.round(size / 2), size]]]);
  const four = planLoad(files, 4);
  assert.equal(four.length, 4);
  assertCovers(four, files);
  for (const s of four) assert.ok(Math.abs(s[0].part.end - s[0].part.offset - size / 4) <= 1);
});

test('load_plan.no_part_below_the_minimum', () => {
  // 20 MB over 4 workers would give 5 MB parts: fewer, larger ones instead.
  const files = [desc(0, 20 * MB)];
  const shares = planLoad(files, 4, { minParallelBytes: 1 });
  assertCovers(shares, files);
  for (const j of shares.flat()) if (j.part) assert.ok(j.part.end - j.part.offset >= MIN_PART_BYTES);
  assert.ok(shares.length <= 2);
});

test('load_plan.gzip_and_json_files_go_whole_weighted_by_their_cost', () => {
  // 10 MB gzipped ≈ 60 MB of work: with a 60 MB plain file after it, each worker gets one.
  const files = [desc(0, 10 * MB, { gzip: true }), desc(1, 60 * MB, { splittable: false })];
  const shares = planLoad(files, 2);
  assert.deepEqual(shares.map((s) => s.map((j) => [j.index, j.part])), [[[0, null]], [[1, null]]]);
});

test('load_plan.random_loads_keep_order_and_cover_every_byte', () => {
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 300; round += 1) {
    const n = 1 + rand(8);
    const files = Array.from({ length: n }, (_, i) => desc(i, 1 + rand(200 * MB), { splittable: rand(3) > 0, gzip: rand(5) === 0 }));
    const workers = 1 + rand(4);
    const shares = planLoad(files, workers);
    assert.ok(shares.length >= 1 && shares.length <= workers);
    for (const s of shares) assert.ok(s.length > 0, 'no empty share');
    assertCovers(shares, files);
    for (const j of shares.flat()) if (j.part) assert.ok(j.part.end - j.part.offset >= MIN_PART_BYTES);
  }
});

test('load_plan.describe_files_reads_the_first_line_of_plain_text_only', async () => {
  const big = (head) => new Blob([head, new Uint8Array(2 * MIN_PART_BYTES)]);
  const files = [
    { name: 'a.log', file: big('version account-id interface-id\n2 1 eni-1\n') },
    { name: 'b.log', file: big('\ufeffversion srcaddr\r\n') },
    { name: 'c.log.gz', file: big(new Uint8Array([0x1f, 0x8b, 8, 0])) },
    { name: 'd.json', file: big('  {"events": [') },
    { name: 'e.log', file: new Blob(['version srcaddr\n1 10.0.0.1\n']) },
    { name: 'f.log', file: new Blob([new Uint8Array(2 * MIN_PART_BYTES)]) },
  ];
  const d = await describeFiles(files);
  assert.deepEqual(d.map((f) => [f.name, f.index, f.splittable]), [
    ['a.log', 0, true], ['b.log', 1, true], ['c.log.gz', 2, false], ['d.json', 3, false], ['e.log', 4, false], ['f.log', 5, false],
  ]);
  assert.equal(d[0].firstLine, 'version account-id interface-id');
  assert.equal(d[1].firstLine, '\ufeffversion srcaddr\r', 'the line as the bytes have it: the core drops the BOM and CR');
  assert.equal(d[2].weight, d[2].size * GZIP_WEIGHT);
  assert.equal(d[0].weight, d[0].size);
  assert.deepEqual(d.map((f) => f.gzip), [false, false, true, false, false, false]);
});

test('load_plan.a_gzip_file_expects_what_its_trailer_says_it_gunzips_to', async () => {
  // A real gzip file large enough to be read (2 × MIN_PART_BYTES): its ISIZE trailer is the
  // plain size, which the store makes room for (expectedBytes). A trailer that cannot be right
  // (below the file's size) or a small file not read leaves the file's own size.
  let seed = 7;
  const noise = new Uint8Array(2 * MIN_PART_BYTES + 4096).map(() => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
  const text = Buffer.concat([Buffer.from('version srcaddr\n'), Buffer.from(noise), Buffer.alloc(5 * MIN_PART_BYTES, 0x41)]);
  const gz = gzipSync(text, { level: 1 });
  assert.ok(gz.length >= 2 * MIN_PART_BYTES, 'large enough to be read');
  const bad = Buffer.from(gz);
  bad.writeUInt32LE(1000, bad.length - 4); // a trailer below the file's size
  const d = await describeFiles([
    { name: 'a.log.gz', file: new Blob([gz]) },
    { name: 'b.log.gz', file: new Blob([bad]) },
    { name: 'c.log.gz', file: new Blob([gzipSync('version srcaddr\n')]) },
  ]);
  assert.deepEqual(d.map((f) => f.gzip), [true, true, true]);
  assert.deepEqual(d.map((f) => f.plainSize), [text.length, bad.length, undefined]);
  const [a, b, c] = planLoad(d, 1)[0];
  assert.deepEqual([expectedBytes(a), expectedBytes(b), expectedBytes(c)], [text.length, bad.length, c.size]);
  assert.deepEqual([jobBytes(a), jobBytes(b)], [gz.length, bad.length], 'progress counts the file\'s own bytes');
  const part = { index: 0, name: 'p.log', size: 100, part: { offset: 40, end: 90, firstLine: '' } };
  assert.equal(expectedBytes(part), 50);
});

test('load_plan.gzip_is_told_by_the_magic_or_for_small_files_by_the_name', async () => {
  const big = (head) => new Blob([head, new Uint8Array(2 * MIN_PART_BYTES)]);
  const small = new Blob([new Uint8Array(1000)]);
  const d = await describeFiles([
    { name: 'flows.log.gz', file: small }, // not read: the name says gzip
    { name: 'FLOWS.GZ', file: small },
    { name: 'flows.log', file: small },
    { name: 'gzipped-but-named.log', file: big(new Uint8Array([0x1f, 0x8b, 8, 0])) }, // read: the magic says
    { name: 'plain-but-named.gz', file: big('version srcaddr\n') },
  ]);
  assert.deepEqual(d.map((f) => f.gzip), [true, true, false, true, false]);
  assert.deepEqual(d.map((f) => f.weight / f.size), [GZIP_WEIGHT, GZIP_WEIGHT, 1, GZIP_WEIGHT, 1]);
});

test('load_plan.part_reports_fold_into_one_per_file', () => {
  const jobs = [
    { index: 0, part: null },
    { index: 1, part: { offset: 0, end: 10 } },
    { index: 1, part: { offset: 10, end: 25 } },
    { index: 2, part: null },
  ];
  const reports = [
    { name: 'a', bytes: 5, records: 2, bad_lines: 0, headers: 1, error: '' },
    { name: 'b', bytes: 10, records: 3, bad_lines: 1, headers: 1, error: '', format: 'x y' },
    { name: 'b', bytes: 15, records: 4, bad_lines: 2, headers: 0, error: 'late problem', partial: true },
    { name: 'c', bytes: 7, records: 1, bad_lines: 0, headers: 0, error: '' },
  ];
  const merged = mergePartReports(jobs, reports);
  assert.equal(merged.length, 3);
  assert.deepEqual(merged[1], { name: 'b', bytes: 25, records: 7, bad_lines: 3, headers: 1, error: 'late problem', format: 'x y', partial: true });
  assert.equal(reports[1].records, 3, 'the inputs are not changed');
});

test('load_plan.a_job_not_read_reports_its_own_bytes', () => {
  const part = { index: 0, name: 'a.log', size: 100, part: { offset: 40, end: 90, firstLine: '' } };
  const whole = { index: 1, name: 'b.log', size: 70, part: null };
  assert.deepEqual([jobBytes(part), jobBytes(whole)], [50, 70]);
  const r = skippedJobReport(part);
  assert.deepEqual([r.name, r.bytes, r.records, r.skipped, r.error], ['a.log', 50, 0, true, 'not read: loading was cancelled']);
});

test('load_plan.one_parse_worker_per_two_cores', () => {
  // Each parse worker has a reader thread: two cores per parse worker, at least one, at most 4.
  const got = [undefined, 0, 1, 2, 3, 4, 5, 6, 8, 16, 64].map((c) => parseWorkers(c));
  assert.deepEqual(got, [1, 1, 1, 1, 1, 2, 2, 3, 4, 4, 4]);
  assert.equal(MAX_PARSE_WORKERS, 4);
});

test('load_plan.mostly_gzipped_loads_get_a_parse_worker_per_core', () => {
  // The core gunzips in its parse worker, and a .gz file's few bytes leave the reader idle.
  const gz = [desc(0, 10 * MB, { gzip: true }), desc(1, 10 * MB, { gzip: true })];
  assert.deepEqual([1, 2, 3, 4, 8, 16].map((c) => parseWorkers(c, gz)), [1, 2, 3, 4, 4, 4]);
  // More than half the work decides: 10 MB of .gz is 10 * GZIP_WEIGHT MB of work.
  const plainSize = 10 * GZIP_WEIGHT * MB;
  const half = [desc(0, 10 * MB, { gzip: true }), desc(1, plainSize)];
  assert.equal(parseWorkers(4, half), 2, 'exactly half gzipped: one per two cores');
  const more = [desc(0, 10 * MB, { gzip: true }), desc(1, plainSize - 1)];
  assert.equal(parseWorkers(4, more), 4, 'more than half gzipped: one per core');
  assert.equal(parseWorkers(4, [desc(0, 50 * MB), desc(1, 50 * MB)]), 2, 'plain: one per two cores');
  assert.equal(parseWorkers(4, []), 2, 'nothing described: as plain');
  // The most any load gets: what tells the engine whether its warm-up should run the merge.
  assert.deepEqual([1, 2, 3, 4, 8].map(mostParseWorkers), [1, 2, 3, 4, 4]);
});
