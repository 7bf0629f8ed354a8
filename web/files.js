// files.js — turns what the user gave (a drop of files and folders, a file picker, a folder
// picker) into a flat, sorted list of {file, name}. Folders are walked recursively, as
// `aws s3 sync` downloads AWSLogs/… trees; hidden files (".DS_Store", "._x") are skipped,
// as the CLI skips them.

export function isHidden(path) {
  return String(path).split('/').some((part) => part.startsWith('.') && part !== '.' && part !== '..');
}

function sortAndFilter(list) {
  return list
    .filter((f) => !isHidden(f.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Files from an <input type=file> (with or without webkitdirectory). */
export function filesFromInput(fileList) {
  return sortAndFilter([...fileList].map((file) => ({ file, name: file.webkitRelativePath || file.name })));
}

/**
 * Files from a drop. webkitGetAsEntry() must be called during the drop event (the items are
 * emptied afterwards), so this takes the entries synchronously and walks them after.
 */
export function entriesFromDrop(dataTransfer) {
  const entries = [];
  const loose = [];
  for (const item of dataTransfer.items ?? []) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...(dataTransfer.files ?? []));
  return { entries, loose };
}

export async function filesFromDrop({ entries, loose }) {
  const out = loose.map((file) => ({ file, name: file.name }));
  for (const entry of entries) await walk(entry, out);
  return sortAndFilter(out);
}

async function walk(entry, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, name: entry.fullPath.replace(/^\//, '') || file.name });
    return;
  }
  if (!entry.isDirectory) return;
  if (entry.name.startsWith('.')) return;
  const reader = entry.createReader();
  // readEntries returns the children in batches (100 in Chromium) until an empty batch.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
}
