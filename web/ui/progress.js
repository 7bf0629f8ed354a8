// progress.js — the loading panel: current file, bytes and records done, rate, time left.

import { byId } from '../dom.js';
import { formatBytes, formatInt, formatDuration } from '../format.js';

export function renderProgress(p) {
  const pct = p.totalBytes ? Math.min(100, (100 * p.bytesDone) / p.totalBytes) : 0;
  byId('progress-title').textContent = p.fileCount > 1
    ? `Reading file ${formatInt(p.fileIndex + 1)} of ${formatInt(p.fileCount)}…`
    : 'Reading…';
  byId('progress-file').textContent = p.file ?? '';
  byId('progress-fill').style.transform = `scaleX(${(pct / 100).toFixed(3)})`;
  const parts = [
    `${formatBytes(p.bytesDone)} of ${formatBytes(p.totalBytes)} (${pct.toFixed(0)}%)`,
    `${formatInt(p.records)} records`,
  ];
  if (p.rate > 0) parts.push(`${formatBytes(p.rate)}/s`);
  if (p.secondsLeft !== null && p.secondsLeft !== undefined && p.elapsed > 1) parts.push(`about ${formatDuration(p.secondsLeft)} left`);
  byId('progress-stats').textContent = parts.join(' · ');
}

export function resetProgress(fileCount, totalBytes) {
  renderProgress({ bytesDone: 0, totalBytes, records: 0, rate: 0, secondsLeft: null, file: '', fileIndex: 0, fileCount, elapsed: 0 });
}
