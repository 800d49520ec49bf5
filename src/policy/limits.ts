// Bounds on a policy file. The file is the operator's, but it is still input: a runaway generator or a
// mistaken `kubectl create configmap --from-file` of something else must not balloon the agent or its series.
export const MAX_POLICY_BYTES = 256 * 1024;
/** Each entry is one series of kata_audit_acknowledgement_expiry_timestamp_seconds. */
export const MAX_ENTRIES = 500;
export const MAX_REASON_LENGTH = 500;
export const MAX_GLOB_LENGTH = 256;

/** Owners become label values: a short, printable, unambiguous name (team, person, e-mail address). */
export const OWNER = /^[A-Za-z0-9][A-Za-z0-9 ._@/+-]{0,63}$/;
/** Rule ids and globs over them: KATA-NET-001, KATA-HOTPLUG-*, KATA-VFIO-00?. */
export const RULE_GLOB = /^[A-Z0-9*?-]{1,32}$/;
/** Globs over Kubernetes names, VMM kinds, hostnames and sandbox ids (which may carry an untrusted: prefix). */
export const MATCH_GLOB = /^[A-Za-z0-9._:*?!\[\]{},-]+$/;
