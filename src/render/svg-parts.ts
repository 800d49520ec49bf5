// Small SVG building blocks for the threat-model diagrams. Colours are presentation attributes, not style
// attributes or a <style> element: the page's CSP allows only its one hashed stylesheet, and presentation
// attributes are not styles under CSP, so the same markup works inline on the page and as a standalone file in
// docs/images. Every text goes through escapeHtml (safeText first) and is cut to fit: SVG text never wraps.
import type { Finding, Severity } from '../model/report.js';
import { escapeHtml as e, ruleHref, truncate } from './html-text.js';
import type { ConfinementLevel } from './confinement.js';

export const FONT = 'ui-monospace,SFMono-Regular,Menlo,Consolas,monospace';
export const FONT_SIZE = 11;
/** Advance of one monospace character at FONT_SIZE: what truncation and chip widths are computed with. */
export const CHAR_WIDTH = 6.7;
export const LINE = 15;
export const INK = '#1f2328';
export const MUTED = '#59636e';

export const SEVERITY_FILL: Readonly<Record<Severity, string>> = {
  critical: '#8b0000', high: '#cf222e', medium: '#bc4c00', low: '#9a6700', info: '#0969da',
};

export const LEVEL_COLOURS: Readonly<Record<ConfinementLevel, { stroke: string; fill: string; dash?: string }>> = {
  confined: { stroke: '#1a7f37', fill: '#dafbe1' },
  partial: { stroke: '#9a6700', fill: '#fff8c5' },
  weak: { stroke: '#cf222e', fill: '#ffebe9' },
  unknown: { stroke: '#6e7781', fill: '#f6f8fa', dash: '4 3' },
  none: { stroke: '#8c959f', fill: '#ffffff' },
  'kernel-exposed': { stroke: '#82071e', fill: '#ffcecb', dash: '6 2' },
};

export interface TextOptions { size?: number; weight?: 'bold'; fill?: string; anchor?: 'middle' | 'end' }

/** One line of text, cut to maxChars. The full text stays available as a tooltip when it was cut. */
export function text(x: number, y: number, value: string, maxChars: number, options: TextOptions = {}): string {
  const shown = truncate(value, Math.max(1, maxChars));
  const attrs = [
    `x="${round(x)}"`, `y="${round(y)}"`,
    options.size !== undefined ? `font-size="${options.size}"` : '',
    options.weight ? `font-weight="${options.weight}"` : '',
    `fill="${options.fill ?? INK}"`,
    options.anchor ? `text-anchor="${options.anchor}"` : '',
  ].filter(Boolean).join(' ');
  const tooltip = shown === value ? '' : `<title>${e(value)}</title>`;
  return `<text ${attrs}>${tooltip}${e(shown)}</text>`;
}

export interface Box { x: number; y: number; width: number; height: number }

export function rect(box: Box, fill: string, stroke: string, extra = ''): string {
  return `<rect x="${round(box.x)}" y="${round(box.y)}" width="${round(box.width)}" height="${round(box.height)}" rx="5" fill="${fill}" stroke="${stroke}"${extra ? ` ${extra}` : ''}/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ''): string {
  return `<line x1="${round(x1)}" y1="${round(y1)}" x2="${round(x2)}" y2="${round(y2)}" stroke="${stroke}"${extra ? ` ${extra}` : ''}/>`;
}

export const CHIP_HEIGHT = 17;

export function chipWidth(label: string): number {
  return [...label].length * CHAR_WIDTH + 10;
}

/**
 * A finding as a chip linking to its rule page: filled in its severity's colour, or outlined and dashed when
 * the finding is acknowledged (accepted on purpose: shown, never hidden).
 */
export function findingChip(x: number, y: number, finding: Finding): string {
  const width = chipWidth(finding.rule);
  const colour = SEVERITY_FILL[finding.severity];
  const ack = finding.acknowledgement ?? null;
  const tip = `${finding.rule} (${finding.severity}${ack ? ', acknowledged' : ''}): ${finding.title}`;
  const body = ack
    ? `${rect({ x, y, width, height: CHIP_HEIGHT }, '#ffffff', colour, 'stroke-dasharray="3 2"')}${text(x + 5, y + 12.5, finding.rule, 99, { fill: colour })}`
    : `${rect({ x, y, width, height: CHIP_HEIGHT }, colour, colour)}${text(x + 5, y + 12.5, finding.rule, 99, { fill: '#ffffff' })}`;
  return `<a href="${ruleHref(finding.rule)}"><title>${e(tip)}</title>${body}</a>`;
}

/** Chips flowed left to right within a width; returns the markup and the height used. */
export function chipRows(x: number, y: number, width: number, findings: readonly Finding[]): { svg: string; height: number } {
  if (findings.length === 0) return { svg: '', height: 0 };
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const finding of findings) {
    const w = chipWidth(finding.rule);
    if (cx > x && cx + w > x + width) {
      cx = x;
      cy += CHIP_HEIGHT + 4;
    }
    parts.push(findingChip(cx, cy, finding));
    cx += w + 4;
  }
  return { svg: parts.join(''), height: cy - y + CHIP_HEIGHT };
}

/** Whole or one decimal: keeps the markup short and byte-stable. */
export function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}
