// Draws a ThreatModel as one inline SVG: the guest VM on top with its virtio devices, then the guest/VMM
// boundary (hotplug), host user space (the VMM process, vhost-user daemons), the host kernel and the hardware.
// Components are columns and each device sits above the component that runs its backend, so the line from a
// device down to its backend crosses only empty parts of the bands in between. No script, no external asset, no
// style attribute (see svg-parts.ts); every text is escaped there.
import { LEVEL_TEXT, type ConfinementCheck } from './confinement.js';
import { escapeHtml as e, wrapWords } from './html-text.js';
import {
  CHAR_WIDTH, FONT, FONT_SIZE, INK, LEVEL_COLOURS, LINE, MUTED, chipRows, line, rect, round, text, type Box, type TextOptions,
} from './svg-parts.js';
import { backendName, deviceLabel, type Band, type Component, type DeviceGroup, type ThreatModel } from './threat-model.js';
import { legend, LEGEND_HEIGHT } from './threat-model-legend.js';
import { describeThreatModel } from './threat-model-text.js';

export const WIDTH = 760;
const MARGIN = 12;
const GAP = 14;
const DEVICE_CHIP = 18;
const DEVICE_STEP = 23;

const BAND_STYLE: Readonly<Record<Band | 'guest', { fill: string; stroke: string; label: string }>> = {
  guest: { fill: '#ddf4ff', stroke: '#0969da', label: 'guest VM' },
  user: { fill: '#f6f8fa', stroke: '#d1d9e0', label: 'host user space: VMM process, vhost-user daemons' },
  kernel: { fill: '#eaeef2', stroke: '#d1d9e0', label: 'host kernel' },
  hardware: { fill: '#e6e9ec', stroke: '#d1d9e0', label: 'hardware' },
};

interface Layout { colWidth: number; colX: (index: number) => number; maxChars: number }

export interface SvgOptions {
  /** Unique on the page: the ids of <title> and <desc> derive from it. */
  id: string;
}

export function renderThreatModelSvg(model: ThreatModel, options: SvgOptions): string {
  const n = model.columns.length;
  const colWidth = (WIDTH - 2 * MARGIN - (n - 1) * GAP) / n;
  const layout: Layout = { colWidth, colX: (i) => MARGIN + i * (colWidth + GAP), maxChars: Math.floor((colWidth - 14) / CHAR_WIDTH) };
  const guest = guestBand(model, layout, MARGIN);
  const hotplug = hotplugStrip(model, guest.bottom);
  const boxTops = new Map<string, number>();
  const backgrounds: string[] = [];
  const contents: string[] = [];
  let y = hotplug.bottom;
  for (const band of ['user', 'kernel', 'hardware'] as const) {
    const drawn = bandRow(model, layout, band, y, boxTops);
    backgrounds.push(drawn.background);
    contents.push(drawn.content);
    y = drawn.bottom;
  }
  const connectors = model.columns.map((c, i) => {
    const top = boxTops.get(c.key);
    const from = guest.deviceBottoms[i];
    if (top === undefined || from === undefined) return '';
    const x = layout.colX(i) + colWidth / 2;
    return `${line(x, from, x, top, INK, 'stroke-width="1.5"')}<circle cx="${round(x)}" cy="${round(top)}" r="3" fill="${INK}"/>`;
  }).join('');
  const height = y + 8 + LEGEND_HEIGHT + MARGIN;
  const titleId = `${options.id}-title`;
  const descId = `${options.id}-desc`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${round(height)}" width="${WIDTH}" height="${round(height)}" role="img" aria-labelledby="${e(titleId)} ${e(descId)}" font-family="${FONT}" font-size="${FONT_SIZE}">`,
    `<title id="${e(titleId)}">${e(diagramTitle(model))}</title>`,
    `<desc id="${e(descId)}">${e(describeThreatModel(model))}</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${round(height)}" fill="#ffffff"/>`,
    // Lines go over the band backgrounds and under everything with text.
    guest.background, ...backgrounds, connectors, guest.content, hotplug.svg, ...contents,
    legend(MARGIN, y + 8, WIDTH - 2 * MARGIN),
    '</svg>',
  ].join('\n');
}

export function diagramTitle(model: ThreatModel): string {
  const who = model.label.mark === null ? `sandbox ${model.label.text}` : `${model.label.mark.toUpperCase()} claiming sandbox ${model.label.claimedId}`;
  return `Threat model of ${who} (${model.vmm})`;
}

interface GuestBand { background: string; content: string; bottom: number; deviceBottoms: Array<number | undefined> }

function guestBand(model: ThreatModel, layout: Layout, top: number): GuestBand {
  const style = BAND_STYLE.guest;
  const inner = WIDTH - 2 * MARGIN;
  const parts: string[] = [];
  const mark = model.label.mark === null ? '' : `${model.label.mark.toUpperCase()}: `;
  const title = `${style.label}: ${mark}${model.label.mark === null ? model.label.id : `claims ${model.label.claimedId}`} (${model.vmm})`;
  parts.push(text(MARGIN + 8, top + 17, title, Math.floor((inner - 16) / CHAR_WIDTH), { weight: 'bold', fill: model.label.mark === null ? INK : '#cf222e' }));
  parts.push(text(MARGIN + 8, top + 33, model.pod, Math.floor((inner - 16) / CHAR_WIDTH), { fill: MUTED }));
  let below = top + 41;
  if (model.label.mark !== null) {
    // A look-alike's processes are shown for what they are, not as a pod's exposure (TRUST rules judge it).
    parts.push(text(MARGIN + 8, below + 11, `not a Kata sandbox the agent trusts: judged by the TRUST rules only`, 100, { fill: '#cf222e' }));
    below += 17;
  }
  const sandboxChips = chipRows(MARGIN + 8, below, inner - 16, model.sandboxFindings);
  parts.push(sandboxChips.svg);
  const devicesTop = below + 3 + (sandboxChips.height > 0 ? sandboxChips.height + 6 : 0);
  const deviceBottoms: Array<number | undefined> = [];
  let most = 0;
  model.columns.forEach((column, i) => {
    const x = layout.colX(i) + 8;
    column.devices.forEach((group, j) => {
      const y = devicesTop + j * DEVICE_STEP;
      parts.push(rect({ x, y, width: layout.colWidth - 16, height: DEVICE_CHIP }, '#ffffff', style.stroke));
      parts.push(text(x + 6, y + 13, deviceLabel(group), layout.maxChars - 1));
    });
    if (column.devices.length > 0) deviceBottoms[i] = devicesTop + (column.devices.length - 1) * DEVICE_STEP + DEVICE_CHIP;
    most = Math.max(most, column.devices.length);
  });
  if (most === 0) parts.push(text(MARGIN + 8, devicesTop + 13, 'no virtio device seen', 40, { fill: MUTED }));
  const bottom = devicesTop + Math.max(1, most) * DEVICE_STEP + 4;
  const band = rect({ x: MARGIN, y: top, width: inner, height: bottom - top }, style.fill, style.stroke, 'stroke-width="1.5"');
  return { background: band, content: `<g>${parts.join('')}</g>`, bottom, deviceBottoms };
}

function hotplugStrip(model: ThreatModel, top: number): { svg: string; bottom: number } {
  const { enabled, findings } = model.hotplug;
  const label = `guest/VMM boundary, hotplug: ${enabled.length > 0 ? enabled.join(', ') : 'none'}`;
  const labelWidth = label.length * CHAR_WIDTH;
  const chipsX = MARGIN + 8 + labelWidth + 10;
  const chips = chipRows(chipsX, top + 6, WIDTH - MARGIN - 8 - chipsX, findings);
  const bottom = top + Math.max(28, chips.height + 11);
  const mid = top + 14;
  return {
    svg: `<g>${line(MARGIN, mid, WIDTH - MARGIN, mid, enabled.length > 0 ? '#bc4c00' : MUTED, 'stroke-dasharray="5 3"')}`
      + `${rect({ x: MARGIN + 4, y: mid - 8, width: labelWidth + 8, height: 16 }, '#ffffff', '#ffffff')}`
      + `${text(MARGIN + 8, mid + 4, label, 80, { fill: enabled.length > 0 ? '#bc4c00' : MUTED })}${chips.svg}</g>`,
    bottom,
  };
}

interface BandRow { background: string; content: string; bottom: number }

function bandRow(model: ThreatModel, layout: Layout, band: Band, top: number, boxTops: Map<string, number>): BandRow {
  const style = BAND_STYLE[band];
  const placed: Array<{ component: Component; x: number }> = model.columns
    .map((component, i) => ({ component, x: layout.colX(i) }))
    .filter(({ component }) => component.band === band);
  // The CPU sits under the first column: lines end at the components above it, so none crosses it.
  if (band === 'hardware') placed.unshift({ component: model.cpu, x: layout.colX(0) });
  const boxTop = top + 20;
  const boxes = placed.map(({ component, x }) => {
    boxTops.set(component.key, boxTop);
    return componentBox(component, { x, y: boxTop, width: layout.colWidth, height: 0 }, layout.maxChars);
  });
  const bottom = boxTop + Math.max(0, ...boxes.map((b) => b.height)) + 10;
  const background = rect({ x: MARGIN, y: top, width: WIDTH - 2 * MARGIN, height: bottom - top - 4 }, style.fill, style.stroke);
  // The label is backed by the band's colour so that the lines passing through stay out of the words.
  const labelWidth = style.label.length * CHAR_WIDTH * 10 / 11;
  const label = rect({ x: MARGIN + 4, y: top + 3, width: labelWidth + 8, height: 15 }, style.fill, style.fill)
    + text(MARGIN + 8, top + 14, style.label, 90, { size: 10, fill: MUTED });
  return { background, content: `<g>${label}${boxes.map((b) => b.svg).join('')}</g>`, bottom };
}

const CHECK_MARK: Readonly<Record<string, { mark: string; fill: string }>> = {
  true: { mark: '✓', fill: '#1a7f37' }, false: { mark: '✗', fill: '#cf222e' }, null: { mark: '?', fill: MUTED },
};

function componentBox(component: Component, at: Box, maxChars: number): { svg: string; height: number } {
  const colours = LEVEL_COLOURS[component.confinement.level];
  const parts: string[] = [];
  let y = at.y + 17;
  const add = (value: string, options: TextOptions = {}): void => {
    parts.push(text(at.x + 7, y, value, maxChars, options));
    y += LINE;
  };
  add(component.title, { weight: 'bold', size: 12 });
  for (const note of component.notes) add(note, { fill: MUTED });
  for (const check of component.confinement.checks) {
    parts.push(checkLine(check, at.x + 7, y, maxChars));
    y += LINE;
  }
  if (component.confinement.level !== 'none') add(LEVEL_TEXT[component.confinement.level], { weight: 'bold', fill: colours.stroke });
  for (const served of servedLines(component.devices)) {
    for (const part of wrapWords(served, maxChars)) add(part);
  }
  const chips = chipRows(at.x + 7, y - 8, at.width - 14, component.findings);
  parts.push(chips.svg);
  const height = y - at.y - 6 + (chips.height > 0 ? chips.height + 4 : 0);
  const dash = colours.dash ? `stroke-dasharray="${colours.dash}" ` : '';
  const box = rect({ ...at, height }, colours.fill, colours.stroke, `${dash}stroke-width="1.5"`);
  return { svg: `<g>${box}${parts.join('')}</g>`, height };
}

/** "serves vhost-net: net ×2", one line per backend: what the guest drives in this component. */
function servedLines(devices: readonly DeviceGroup[]): string[] {
  const byBackend = new Map<string, string[]>();
  for (const group of devices) {
    const name = backendName(group);
    byBackend.set(name, [...(byBackend.get(name) ?? []), `${group.class}${group.count > 1 ? ` ×${group.count}` : ''}`]);
  }
  return [...byBackend].map(([backend, classes]) => `serves ${classes.join(', ')} (${backend})`);
}

function checkLine(check: ConfinementCheck, x: number, y: number, maxChars: number): string {
  const { mark, fill } = CHECK_MARK[String(check.ok)]!;
  return `${text(x, y, mark, 1, { fill, weight: 'bold' })}${text(x + 2 * CHAR_WIDTH, y, check.text, maxChars - 2)}`;
}
