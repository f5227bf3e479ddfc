import type { RunTimeline } from './timeline.js';
import { escapeHtml } from './escape.js';

const LANE = 28;
const LABEL = 130;
const SLOT = 14;
const COLOURS: Readonly<Record<string, string>> = {
  invalidate_range_start: '#d62728',
  invalidate_range_end: '#ff9896',
  invalidate_page: '#9467bd',
  interval_invalidate: '#e377c2',
  arch_invalidate_secondary_tlbs: '#8c564b',
  rmap_invalidate_page: '#7f7f7f',
  clear_flush_young: '#2ca02c',
  clear_young: '#98df8a',
  test_young: '#bcbd22',
  release: '#1f77b4',
};

/**
 * An SVG timeline of one scenario in one era: one lane per driver (`data-lane`), each
 * callback a mark in call order — runs of a scenario take the same virtual time when
 * nothing blocks, so order is what tells them apart — wider by the virtual time it
 * blocked, its name, time and duration in its tooltip. Kernel counterpart: none.
 */
export function timelineSvg(lanes: readonly RunTimeline[]): string {
  const longest = Math.max(1, ...lanes.map((l) => l.marks.length));
  const maxBlocked = Math.max(1, ...lanes.flatMap((l) => l.marks.map((m) => m.duration)));
  const width = LABEL + longest * SLOT + 4 * SLOT;
  const height = lanes.length * LANE + 8;
  const rows = lanes.map((lane, i) => {
    const y = 4 + i * LANE;
    let x = LABEL;
    const marks = lane.marks.map((m) => {
      const w = 6 + Math.round((m.duration / maxBlocked) * 3 * SLOT);
      const title = `${m.callback} at ${m.time} ns${m.duration > 0 ? `, blocked ${m.duration} ns` : ''}${m.blockable ? '' : ', non-blockable'}`;
      const rect = `<rect class="mark" x="${x}" y="${y + 4}" width="${w}" height="${LANE - 10}" fill="${COLOURS[m.callback] ?? '#333'}"><title>${escapeHtml(title)}</title></rect>`;
      x += w + SLOT - 6;
      return rect;
    });
    return `<g class="lane" data-lane="${escapeHtml(lane.driver)}"><text x="4" y="${y + LANE / 2 + 4}">${escapeHtml(lane.driver)}</text><line x1="${LABEL}" x2="${width}" y1="${y + LANE / 2}" y2="${y + LANE / 2}" stroke="#ddd"/>${marks.join('')}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="callbacks per driver">${rows.join('')}</svg>`;
}

/** The legend: each callback kind's colour. Kernel counterpart: none. */
export function legendHtml(): string {
  return Object.entries(COLOURS)
    .map(([k, c]) => `<span class="key"><span class="swatch" style="background:${c}"></span>${k}</span>`)
    .join(' ');
}
