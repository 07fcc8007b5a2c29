import type { Implementation } from './implementation';
import { ratio, type ScenarioResult } from './results';

/** 1.18G, 433M, 12.3M, 950k; bytes with one decimal. */
export function formatValue(value: number, unit: 'ops/s' | 'bytes'): string {
  if (unit === 'bytes') return `${value.toFixed(1)} B`;
  const scaled = (x: number, suffix: string): string => `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}${suffix}`;
  if (value >= 1e9) return scaled(value / 1e9, 'G');
  if (value >= 1e6) return scaled(value / 1e6, 'M');
  if (value >= 1e3) return scaled(value / 1e3, 'k');
  return value.toFixed(0);
}

function formatRatio(value: number | undefined): string {
  return value === undefined ? '' : `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
}

/** The full table: every scenario, every implementation, median, p90, ratio to the best peer, tier. */
export function table(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'implementation', 'median', 'p90', 'vs best peer', 'tier'];
  const lines: string[][] = [];
  for (const result of results) {
    for (const row of result.rows) {
      lines.push([
        row === result.rows[0] ? result.name : '', row.impl.name, formatValue(row.value, result.unit),
        row.p90 === undefined ? '' : formatValue(row.p90, result.unit),
        formatRatio(ratio(result, row)) + (row === result.bestPeer ? ' *' : ''), row.tier ?? '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const out = [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const line of lines) {
    if (line[0] !== '' && out.length > 2) out.push('');
    out.push(pad(line, widths));
  }
  return out.join('\n');
}

/** The ratios alone, scenarios down and implementations across, as a Markdown table. */
export function ratioMarkdown(results: readonly ScenarioResult[], impls: readonly Implementation[]): string {
  const used = impls.filter((impl) => results.some((result) => result.rows.some((row) => row.impl === impl)));
  const lines = [
    `| scenario | best peer | ${used.map((impl) => impl.name).join(' | ')} |`,
    `|---|---|${used.map(() => '---:').join('|')}|`,
  ];
  for (const result of results) {
    const best = result.bestPeer === undefined ? '—' : `${result.bestPeer.impl.name} ${formatValue(result.bestPeer.value, result.unit)}`;
    const cells = used.map((impl) => {
      const row = result.rows.find((r) => r.impl === impl);
      return row === undefined ? '—' : formatRatio(ratio(result, row));
    });
    lines.push(`| ${result.name} | ${best} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** `{ scenarios: { <scenario>: { <impl>: opsPerSec } } }`; the memory scenario holds bytes. */
export function json(results: readonly ScenarioResult[]): string {
  const scenarios: Record<string, Record<string, number>> = {};
  for (const result of results) {
    const entry: Record<string, number> = {};
    for (const row of result.rows) entry[row.impl.name] = result.unit === 'bytes' ? Math.round(row.value * 10) / 10 : Math.round(row.value);
    scenarios[result.name] = entry;
  }
  return JSON.stringify({ scenarios }, null, 2);
}
