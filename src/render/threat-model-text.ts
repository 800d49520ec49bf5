// The diagram in words, for its <desc> (screen readers, and anyone who cannot see the colours): every device
// with where its backend runs, every component with its confinement, every finding with where it was placed.
import { LEVEL_TEXT } from './confinement.js';
import { backendName, deviceLabel, type Component, type ThreatModel } from './threat-model.js';

export function describeThreatModel(model: ThreatModel): string {
  const parts: string[] = [`${model.pod}, ${model.vmm}.`];
  if (model.label.mark !== null) parts.push(`${model.label.mark}: this is not the sandbox ${model.label.claimedId} it claims to be.`);
  const devices = model.columns.flatMap((c) => c.devices.map((g) => `${deviceLabel(g)} served by ${backendName(g)} in ${c.title}`));
  parts.push(devices.length > 0 ? `Devices: ${devices.join('; ')}.` : 'No virtio device seen.');
  parts.push(`Hotplug through the guest/VMM boundary: ${model.hotplug.enabled.length > 0 ? model.hotplug.enabled.join(', ') : 'none'}.`);
  for (const component of [...model.columns, model.cpu]) parts.push(componentSentence(component));
  const placed = [
    ...model.sandboxFindings.map((f) => `${f.rule} (${f.severity}) on the sandbox`),
    ...model.hotplug.findings.map((f) => `${f.rule} (${f.severity}) on the guest/VMM boundary`),
    ...[...model.columns, model.cpu].flatMap((c) => c.findings.map((f) => `${f.rule} (${f.severity}) on ${c.title}`)),
  ];
  if (placed.length > 0) parts.push(`Findings: ${placed.join('; ')}.`);
  return parts.join(' ');
}

function componentSentence(component: Component): string {
  const checks = component.confinement.checks.map((c) => c.text);
  const facts = [...component.notes, ...checks].join(', ');
  const level = component.confinement.level === 'none' ? '' : LEVEL_TEXT[component.confinement.level];
  return `${component.title}:${level ? ` ${level}` : ''}${facts ? ` ${level ? `(${facts})` : facts}` : ''}.`;
}
