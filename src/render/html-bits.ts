// Tiny markup helpers shared by the pages.
import type { Severity } from '../model/report.js';
import { escapeHtml as e } from './html-text.js';

export function badge(severity: Severity): string {
  return `<span class="sev sev-${e(severity)}">${e(severity)}</span>`;
}

export function yesNo(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}
