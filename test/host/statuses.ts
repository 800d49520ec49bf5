import type { VulnerabilityStatus } from '../../src/report/types.js';

export const VULNERABILITY_STATUSES: readonly VulnerabilityStatus[] = ['vulnerable', 'mitigated', 'not_affected', 'unknown'];
