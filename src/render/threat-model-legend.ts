// The key under every diagram, so a diagram read on its own (a README image, a screenshot) still says what its
// colours mean.
import { SEVERITIES } from '../model/report.js';
import { LEVEL_TEXT, type ConfinementLevel } from './confinement.js';
import { CHAR_WIDTH, LEVEL_COLOURS, MUTED, SEVERITY_FILL, rect, text } from './svg-parts.js';

export const LEGEND_HEIGHT = 40;

const LEVELS: readonly ConfinementLevel[] = ['confined', 'partial', 'weak', 'unknown', 'kernel-exposed'];

export function legend(x: number, y: number, width: number): string {
  const parts: string[] = [];
  let cx = x;
  for (const level of LEVELS) {
    const colours = LEVEL_COLOURS[level];
    const dash = colours.dash ? ` stroke-dasharray="${colours.dash}"` : '';
    parts.push(rect({ x: cx, y: y + 2, width: 16, height: 11 }, colours.fill, colours.stroke, `stroke-width="1.5"${dash}`));
    const label = LEVEL_TEXT[level];
    parts.push(text(cx + 21, y + 12, label, 40, { size: 10 }));
    cx += 21 + label.length * CHAR_WIDTH * 10 / 11 + 14;
  }
  cx = x;
  const row = y + 22;
  parts.push(text(cx, row + 11, 'findings:', 20, { size: 10, fill: MUTED }));
  cx += 10 * CHAR_WIDTH;
  for (const severity of [...SEVERITIES].reverse()) {
    const w = severity.length * CHAR_WIDTH * 10 / 11 + 10;
    parts.push(rect({ x: cx, y: row, width: w, height: 15 }, SEVERITY_FILL[severity], SEVERITY_FILL[severity]));
    parts.push(text(cx + 5, row + 11, severity, 12, { size: 10, fill: '#ffffff' }));
    cx += w + 5;
  }
  const rest = 'dashed: acknowledged. ✓ ✗ ?: check passes, fails, unknown.';
  parts.push(text(cx + 6, row + 11, rest, Math.floor((x + width - cx - 6) / (CHAR_WIDTH * 10 / 11)), { size: 10, fill: MUTED }));
  return `<g>${parts.join('')}</g>`;
}
