// Turning picks and drops into a file list: relative paths, hidden files skipped, folders walked
// recursively through readEntries batches (fake FileSystemEntry objects stand in for Chromium's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filesFromInput, entriesFromDrop, filesFromDrop, isHidden } from '../../web/files.js';

function fileEntry(path) {
  const name = path.split('/').pop();
  return { isFile: true, isDirectory: false, name, fullPath: `/${path}`, file: (ok) => ok({ name, size: 1 }) };
}

function dirEntry(path, children, batch = 2) {
  return {
    isFile: false,
    isDirectory: true,
    name: path.split('/').pop(),
    fullPath: `/${path}`,
    createReader() {
      let i = 0;
      return { readEntries: (ok) => { const b = children.slice(i, i + batch); i += batch; setTimeout(() => ok(b), 0); } };
    },
  };
}

test('files.hidden', () => {
  assert.ok(isHidden('.DS_Store'));
  assert.ok(isHidden('AWSLogs/.git/x'));
  assert.ok(isHidden('._a.log.gz'));
  assert.ok(!isHidden('AWSLogs/123/a.log.gz'));
});

test('files.from_inputs', () => {
  const list = filesFromInput([
    { name: 'b.log', webkitRelativePath: 'logs/2024/b.log' },
    { name: '.DS_Store', webkitRelativePath: 'logs/.DS_Store' },
    { name: 'a.log.gz', webkitRelativePath: '' },
  ]);
  assert.deepEqual(list.map((f) => f.name), ['a.log.gz', 'logs/2024/b.log']);
});

test('files.drop_walks_folders', async () => {
  const tree = dirEntry('AWSLogs', [
    dirEntry('AWSLogs/123', [
      fileEntry('AWSLogs/123/c.log.gz'), fileEntry('AWSLogs/123/a.log.gz'), fileEntry('AWSLogs/123/b.log.gz'),
      fileEntry('AWSLogs/123/.DS_Store'), dirEntry('AWSLogs/123/.hidden', [fileEntry('AWSLogs/123/.hidden/x.log')]),
    ]),
    dirEntry('AWSLogs/empty', []),
  ]);
  const loose = { name: 'loose.log', size: 3 };
  const dt = {
    items: [
      { kind: 'file', webkitGetAsEntry: () => tree },
      { kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => loose },
      { kind: 'string' },
    ],
  };
  const taken = entriesFromDrop(dt);
  assert.equal(taken.entries.length, 1);
  assert.equal(taken.loose.length, 1);
  const files = await filesFromDrop(taken);
  assert.deepEqual(files.map((f) => f.name), [
    'AWSLogs/123/a.log.gz', 'AWSLogs/123/b.log.gz', 'AWSLogs/123/c.log.gz', 'loose.log',
  ]);
});

test('files.drop_without_items', async () => {
  const f = { name: 'x.log' };
  const taken = entriesFromDrop({ files: [f] });
  assert.deepEqual(await filesFromDrop(taken), [{ file: f, name: 'x.log' }]);
});
