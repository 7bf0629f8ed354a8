// provenance.mjs — one line saying what was measured where: time, git commit (and whether the tree
// had changes), the binaries' and dist/'s modification times, cores and load average (other work on
// the machine moves the figures; a load average near the core count means contention).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export function provenance(root, paths) {
  let commit = '?';
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).toString().trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no']).toString().trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch { /* not a git tree */ }
  const built = paths.map((p) => {
    try {
      return `${p.split('/').slice(-2).join('/')} ${statSync(p).mtime.toISOString().slice(0, 19)}Z`;
    } catch {
      return `${p} missing`;
    }
  });
  return `${new Date().toISOString().slice(0, 19)}Z, commit ${commit}; built: ${built.join(', ')}; ` +
    `${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}
