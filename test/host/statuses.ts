import type { VulnerabilityStatus } from '../../src/model/report.js';

export const VULNERABILITY_STATUSES: readonly VulnerabilityStatus[] = ['vulnerable', 'mitigated', 'not_affected', 'unknown'];
