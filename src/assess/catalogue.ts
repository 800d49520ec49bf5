// The rule catalogue: the Kata threat model as data. Every verdict the agent gives is one of these entries, so
// the wording an SRE reads (title, remediation) lives here once and findings copy it; checks only add evidence.
//
// Ids are stable: KATA-<AREA>-<NNN>, never renumbered and never reused. A rule that is retired keeps its id
// out of circulation; a rule whose meaning changes gets a new id. Alerts, runbooks and silences key on them.

import type { Finding, Severity } from '../model/report.js';
import type { Rule, RuleCheck } from './types.js';

/**
 * A catalogue entry: a Rule plus the one documented way a finding of it may be more severe than its base.
 * Escalation is part of the rule's contract (it is printed in `kata-audit rules`), so a check cannot invent a
 * severity the documentation does not announce.
 */
export interface CatalogueRule extends Rule {
  escalation?: { severity: Severity; when: string };
}

export const RULE_ID_PATTERN = /^KATA-(NET|VSOCK|BLK|VFS|VFIO|VMM|HOTPLUG|HOST|CPU|CFG|TRUST|POLICY|TEE)-\d{3}$/;

// Threat-model tiers (reference §13), named the same way in every rationale so the docs read as one model.
const TM_VHOST = 'Threat model, in-kernel vhost backends (the riskiest tier)';
const TM_VMM = 'Threat model, the VMM (second tier)';
const TM_VHOST_USER = 'Threat model, vhost-user daemons (third tier: confined host processes)';
const TM_VFIO = 'Threat model, VFIO pass-through';
const TM_HOTPLUG = 'Threat model, ACPI and PCI hotplug';
const TM_CPU = 'Threat model, the CPU under the VM boundary';
const TM_CFG = 'Threat model, configuration a pod or operator can change';
const TM_TRUST = 'Trust model (what the agent is judging)';
const TM_POLICY = 'Threat model, accepted exposure (the --policy.file)';
const TM_TEE = 'Threat model, confidential guests (the host is outside the guest\'s trust boundary)';

const CONFIG_HINT = 'in the Kata configuration file in use (e.g. /etc/kata-containers/configuration.toml or ' +
  'the drop-in directory config.d/ next to it); new sandboxes pick the change up, running pods keep their ' +
  'processes until they are recreated';

// `as const` keeps each id a literal, so RuleId below is derived from this list and cannot drift from it;
// `satisfies` still checks every entry against CatalogueRule.
const CATALOGUE = [
  {
    id: 'KATA-BLK-001',
    severity: 'high',
    title: 'In-kernel vhost-scsi backend serves a disk',
    scope: 'sandbox',
    rationale: `${TM_VHOST}: with vhost-scsi the guest's SCSI requests are parsed by the host kernel's vhost ` +
      'and LIO target code, with no seccomp filter, namespace or unprivileged user in between. Kata\'s shipped ' +
      'configurations do not create vhost-scsi devices, so one in use is a deliberate extra: a large kernel ' +
      'surface for a path the VMM can emulate in userspace.',
    remediation: 'Remove whatever added the vhost-scsi device (custom QEMU arguments, a device plugin) and keep ' +
      'Kata\'s in-VMM block emulation (`block_device_driver = "virtio-scsi"` or `"virtio-blk"` in ' +
      `[hypervisor.<name>] ${CONFIG_HINT}). Then unload the module: \`modprobe -r vhost_scsi\`.`,
  },
  {
    id: 'KATA-CFG-001',
    severity: 'high',
    title: 'Pods may pass arbitrary virtiofsd arguments (virtio_fs_extra_args annotation)',
    scope: 'host',
    rationale: `${TM_CFG}: when \`enable_annotations\` matches \`virtio_fs_extra_args\`, any pod can set ` +
      '`io.katacontainers.config.hypervisor.virtio_fs_extra_args` and start its own virtiofsd with ' +
      '`--sandbox=none --seccomp=none`: a root daemon with the host filesystem view and every syscall, driven ' +
      'by the guest. It was in the shipped defaults from Kata 3.3 to 3.30 and removed in 3.31.0.',
    remediation: 'Remove `"virtio_fs_extra_args"` (and any regular expression that matches it, such as `".*"`) ' +
      `from \`enable_annotations\` in [hypervisor.<name>] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-002',
    severity: 'medium',
    title: 'Pods may choose host executables or paths (restricted path annotations)',
    scope: 'host',
    rationale: `${TM_CFG}: annotations such as \`path\`, \`jailer_path\`, \`virtio_fs_daemon\`, ` +
      '`entropy_source`, `vhost_user_store_path` and `file_mem_backend` let a pod pick which host binary runs ' +
      'as root for it, or which host path the VMM opens. Kata checks the value against the matching `valid_*` ' +
      'glob list, so the allowed set is only as narrow as that list.',
    remediation: `Remove these names from \`enable_annotations\` in [hypervisor.<name>] ${CONFIG_HINT}; if a ` +
      'pod really needs one, keep the matching `valid_*` list (e.g. `valid_hypervisor_paths`) to literal ' +
      'paths of root-owned files, without wildcards.',
    escalation: { severity: 'high', when: 'the matching valid_* list holds a wildcard pattern' },
  },
  {
    id: 'KATA-CFG-003',
    severity: 'medium',
    title: 'Pods may choose the guest kernel, image, initrd or firmware file',
    scope: 'host',
    rationale: `${TM_CFG}: the asset annotations (\`kernel\`, \`image\`, \`initrd\`, \`firmware\`, ` +
      '`firmware_volume`) name a host file that the VMM, running as root, loads into guest memory. No `valid_*` ' +
      'list restricts them, so a pod can boot an arbitrary guest or have a host file it cannot read copied ' +
      'into its VM.',
    remediation: `Remove \`kernel\`, \`image\`, \`initrd\`, \`firmware\` and \`firmware_volume\` (and any ` +
      `regular expression matching them) from \`enable_annotations\` in [hypervisor.<name>] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-004',
    severity: 'low',
    title: 'Pods may append guest kernel parameters (kernel_params annotation)',
    scope: 'host',
    rationale: `${TM_CFG}: \`kernel_params\` stays inside the VM boundary, but it lets a pod switch off ` +
      'in-guest defences the operator chose (guest mitigations, agent options read from the kernel command ' +
      'line such as `agent.debug_console`). It is in the shipped defaults since Kata 3.3.',
    remediation: `Remove \`"kernel_params"\` from \`enable_annotations\` in [hypervisor.<name>] ${CONFIG_HINT} ` +
      'unless pods on this node need per-pod kernel parameters.',
  },
  {
    id: 'KATA-CFG-005',
    severity: 'medium',
    title: 'QEMU is configured without its seccomp sandbox (seccompsandbox empty)',
    scope: 'host',
    rationale: `${TM_VMM}: with an empty \`seccompsandbox\` (the shipped default) Kata starts QEMU without ` +
      '`-sandbox`, so every QEMU runs as root with no syscall filter: a bug in any emulated device gives the ' +
      'guest the full host syscall surface.',
    remediation: 'Set `seccompsandbox = "on,obsolete=deny,spawn=deny,resourcecontrol=deny"` in ' +
      `[hypervisor.qemu] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-006',
    severity: 'high',
    title: 'VMM seccomp filters are switched off (disable_seccomp = true)',
    scope: 'host',
    rationale: `${TM_VMM}: Cloud Hypervisor, Firecracker and Dragonball ship per-thread seccomp filters and ` +
      'run them by default; `disable_seccomp = true` removes that layer for every sandbox this configuration ' +
      'starts.',
    remediation: `Set \`disable_seccomp = false\` (or delete the line) in [hypervisor.<name>] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-007',
    severity: 'high',
    title: 'virtio_fs_extra_args turns off virtiofsd confinement',
    scope: 'host',
    rationale: `${TM_VHOST_USER}: virtiofsd is only the third tier because it confines itself (namespace ` +
      'sandbox, seccomp). Extra arguments such as `--sandbox=none`, `--sandbox=chroot`, `-o sandbox=chroot` or ' +
      '`--seccomp=none` in the configuration remove that confinement from every sandbox it starts.',
    remediation: 'Delete the `--sandbox`, `-o sandbox=` and `--seccomp` options from `virtio_fs_extra_args` in ' +
      `[hypervisor.<name>] ${CONFIG_HINT}; the virtiofsd defaults are \`--sandbox namespace\` and ` +
      '`--seccomp kill`.',
    escalation: { severity: 'critical', when: 'the arguments remove both the namespace sandbox and seccomp' },
  },
  {
    id: 'KATA-CFG-008',
    severity: 'medium',
    title: 'The agent debug console is enabled (debug_console_enabled = true)',
    scope: 'host',
    rationale: `${TM_CFG}: the debug console gives a root shell inside every guest to anyone who can reach ` +
      'the sandbox\'s vsock or hybrid-vsock socket on the host, bypassing the agent API and its policy.',
    remediation: `Set \`debug_console_enabled = false\` in [agent.kata] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-009',
    severity: 'low',
    title: 'Kata debug mode is enabled (enable_debug = true)',
    scope: 'host',
    rationale: `${TM_CFG}: debug mode adds host-side interfaces (QEMU's \`extra_monitor_socket\` is only ` +
      'honoured with debug, Cloud Hypervisor and Firecracker log verbosely, the guest kernel logs to the host) ' +
      'and copies workload data into host logs.',
    remediation: `Set \`enable_debug = false\` in [hypervisor.<name>], [agent.kata] and [runtime] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-010',
    severity: 'low',
    title: 'Go pprof is exposed by the shim (enable_pprof = true)',
    scope: 'host',
    rationale: `${TM_CFG}: \`enable_pprof\` serves \`/debug/pprof\` from every shim through its management ` +
      'socket and kata-monitor: memory profiles and goroutine dumps of a root process, and a cheap way to ' +
      'load it.',
    remediation: `Set \`enable_pprof = false\` in [runtime] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-CFG-011',
    severity: 'info',
    title: 'The VMM is configured to run as root (rootless = false)',
    scope: 'host',
    rationale: `${TM_VMM}: with \`rootless = false\` (the shipped default) QEMU and Cloud Hypervisor run as ` +
      'root with full capabilities, so an escape from the VMM is an escape to root. Informational: rootless ' +
      'mode has functional limits, but it is the one setting that changes who the VMM is.',
    remediation: `Consider \`rootless = true\` in [hypervisor.qemu] or [hypervisor.clh] ${CONFIG_HINT} (Kata ` +
      'then creates an unprivileged `kata-<n>` user per sandbox).',
  },
  {
    id: 'KATA-CFG-012',
    severity: 'medium',
    title: 'kata-deploy\'s debug drop-in applies to a production runtime class',
    scope: 'host',
    rationale: `${TM_CFG}: kata-deploy's \`20-debug.toml\` turns on debug in the hypervisor, runtime and agent and ` +
      'the agent debug console (a root shell in every guest for whoever reaches its vsock), and its kernel ' +
      'parameters change the measured command line of confidential guests. It belongs to the `-debug` and ' +
      '`-devkit` classes only; through Kata 4.0.0, Helm `debug: true` wrote it into every shim\'s `config.d`, so ' +
      'pods of the ordinary classes ran with it.',
    remediation: 'Redeploy kata-deploy with `debug: false` (or upgrade to 4.1, which confines the drop-in to ' +
      '`kata-<shim>-debug` and deletes stale copies), or remove `20-debug.toml` from the `config.d/` next to the ' +
      'resolved configuration file; new sandboxes pick the change up, running pods keep it until recreated.',
    escalation: { severity: 'high', when: 'the drop-in leaves the agent debug console enabled' },
  },
  {
    id: 'KATA-CPU-001',
    severity: 'high',
    title: 'CPU is vulnerable to a flaw that crosses the VM boundary',
    scope: 'host',
    rationale: `${TM_CPU}: every isolation layer Kata adds sits above the CPU. A flaw reported as ` +
      '"Vulnerable" in /sys/devices/system/cpu/vulnerabilities (L1TF, MDS, MMIO stale data, Retbleed, SRSO, ' +
      'Downfall, RFDS, ITS, TSA, VMScape, ...) lets a guest read host or other guests\' data, or attack the ' +
      'VMM, whatever the device backends are. It raises the exposure of every sandbox on the node.',
    remediation: 'Update the CPU microcode (`intel-microcode` / `amd64-microcode`) and the host kernel, and do ' +
      'not boot with `mitigations=off`; check `/sys/devices/system/cpu/vulnerabilities/<name>` reports ' +
      '"Mitigation: ..." or "Not affected" after a reboot.',
    raisesSandboxExposure: true,
  },
  {
    id: 'KATA-CPU-002',
    severity: 'medium',
    title: 'SMT leaves a mitigated CPU flaw open between sibling threads',
    scope: 'host',
    rationale: `${TM_CPU}: for L1TF, MDS and related flaws the kernel clears buffers at VM entry, but a guest ` +
      'vCPU on one SMT sibling can still sample data of whatever runs on the other sibling (the kernel reports ' +
      '"SMT vulnerable"). It raises the exposure of every sandbox on the node.',
    remediation: 'Turn SMT off: `echo off > /sys/devices/system/cpu/smt/control` now, and boot with ' +
      '`mitigations=auto,nosmt` (or `nosmt`) to keep it off; alternatively pin each sandbox\'s vCPUs to whole ' +
      'cores (core scheduling).',
    raisesSandboxExposure: true,
  },
  {
    id: 'KATA-HOST-001',
    severity: 'low',
    title: 'A vhost kernel module is loaded but no sandbox uses it',
    scope: 'host',
    rationale: `${TM_VHOST}: a loaded vhost module is host kernel code that any process allowed to open its ` +
      'device node can drive. When no running sandbox needs it, it is attack surface for nothing (built-in ' +
      'modules cannot be unloaded and are not reported).',
    remediation: 'Unload it with `modprobe -r <module>` and keep it out with ' +
      '`echo "install <module> /bin/false" > /etc/modprobe.d/kata-audit-<module>.conf`, once the Kata ' +
      'configuration no longer needs it (e.g. `disable_vhost_net = true` for vhost_net, or only Cloud ' +
      'Hypervisor / Firecracker / Dragonball sandboxes for vhost_vsock).',
  },
  {
    id: 'KATA-HOTPLUG-001',
    severity: 'info',
    title: 'CPU or memory hotplug is enabled',
    scope: 'sandbox',
    rationale: `${TM_HOTPLUG}: CPU and memory hotplug keep the VMM's ACPI hotplug controllers (or virtio-mem) ` +
      'live and reachable from the guest for the life of the VM. Kata uses them to resize the VM, so this is ' +
      'informational.',
    remediation: 'Size VMs at creation instead: `static_sandbox_resource_mgmt = true` in [runtime] ' +
      `${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-HOTPLUG-002',
    severity: 'low',
    title: 'PCI hotplug is enabled',
    scope: 'sandbox',
    rationale: `${TM_HOTPLUG}: PCI hotplug keeps emulated hotplug controllers (ACPI PCI hotplug, PCIe root ` +
      'port slots, SHPC) in the VMM reachable from the guest. Kata uses it to add volumes, interfaces and VFIO ' +
      'devices after boot.',
    remediation: 'Cold-plug VFIO devices instead of hot-plugging them: `cold_plug_vfio = "root-port"` with ' +
      `\`hot_plug_vfio = "no-port"\` in [hypervisor.<name>] ${CONFIG_HINT}. Kata attaches volumes and ` +
      'network interfaces by PCI hotplug, so on QEMU it cannot be switched off entirely without losing those.',
  },
  {
    id: 'KATA-NET-001',
    severity: 'medium',
    title: 'In-kernel vhost-net backend serves a network interface',
    scope: 'sandbox',
    rationale: `${TM_VHOST}: with vhost-net the guest's virtqueues are processed by host kernel code ` +
      '(vhost worker threads) with no seccomp filter, namespace or unprivileged user in between; a bug there ' +
      'is a host kernel compromise. It is QEMU\'s and Dragonball\'s default.',
    remediation: 'Move network processing into the VMM: set `disable_vhost_net = true` in [hypervisor.qemu] ' +
      `${CONFIG_HINT}, or run the pod with a userspace virtio-net VMM (Cloud Hypervisor or Firecracker ` +
      'runtime classes). Costs some network throughput.',
  },
  {
    id: 'KATA-NET-002',
    severity: 'medium',
    title: 'vhost-vdpa device in use',
    scope: 'sandbox',
    rationale: `${TM_VHOST}: a vhost-vdpa device gives the guest a virtio datapath served by the host ` +
      'kernel\'s vhost-vdpa and vendor vDPA drivers (or hardware), with the control path in host kernel code. ' +
      'Kata does not create one by default.',
    remediation: 'Use a VMM-emulated interface instead (remove the vDPA network endpoint from the pod\'s ' +
      'network attachment), then `modprobe -r vhost_vdpa`.',
  },
  {
    id: 'KATA-POLICY-001',
    severity: 'low',
    title: 'An acknowledgement in the policy file has expired',
    scope: 'host',
    rationale: `${TM_POLICY}: an acknowledgement says who accepted an exposure, where and until when. Once ` +
      'its date has passed it acknowledges nothing: the findings it covered page again, and this finding says ' +
      'which entry ran out so that its owner renews it with a fresh reason or fixes the exposure.',
    remediation: 'Ask the entry\'s owner: either fix the exposure (see the findings it covered) and delete the ' +
      'entry, or review the reason and move `expires` to a new date in the --policy.file (docs/policy.md). ' +
      'Check the change with `kata-audit policy check FILE` before it ships.',
  },
  {
    id: 'KATA-POLICY-002',
    severity: 'info',
    title: 'An acknowledgement in the policy file matches nothing on this node',
    scope: 'host',
    rationale: `${TM_POLICY}: an entry that acknowledged no finding on this node since the policy was ` +
      'loaded is either stale (the exposure is gone) or mistyped (a namespace or pod glob that never matches), ' +
      'and a mistyped acknowledgement is one the operator believes in but that protects no alert from noise. ' +
      'Entries whose `node` glob excludes this node are not judged here.',
    remediation: 'Run `kata-audit policy check FILE` on the node to see what each entry matches; fix the globs ' +
      'or delete the entry if the exposure it accepted is gone.',
  },
  {
    id: 'KATA-TEE-001',
    severity: 'high',
    title: 'A TDX guest runs as a debug TD',
    scope: 'sandbox',
    rationale: `${TM_TEE}: a debug TD (QEMU \`tdx-guest\` with \`debug=on\`, or TD ATTRIBUTES bit 0, DEBUG, in ` +
      '`attributes`) lets the host read and write the guest\'s private memory and CPU state, so the guest is ' +
      'confidential in name only. Both Kata runtimes hard-code debug off and no key or annotation turns it on ' +
      '(reference 4.x §8.2): a debug TD was started by something other than Kata\'s own configuration.',
    remediation: 'Find what wrote the VMM command line (a wrapper script, a patched runtime, a custom ' +
      '`hypervisor_path`) and restore the runtime\'s own QEMU invocation; recreate the pod so the TD is built ' +
      'without DEBUG, and treat any secret released to the debug TD as disclosed.',
  },
  {
    id: 'KATA-TEE-002',
    severity: 'high',
    title: 'An SEV or SEV-SNP guest policy allows debugging',
    scope: 'sandbox',
    rationale: `${TM_TEE}: in the SEV-SNP guest policy bit 19 is DEBUG (AMD SEV-SNP firmware ABI, guest policy; ` +
      '`SNP_POLICY_DBG` in Linux\'s KVM SEV code; reference 4.x §8.3): with it set, e.g. `0xB0000` = 720896, ' +
      'the host can ask the firmware to decrypt guest memory. For plain SEV the policy\'s bit 0 (NODBG, AMD SEV ' +
      'API) must be set for the same guarantee. The Go runtime writes the policy in decimal, runtime-rs in hex.',
    remediation: 'Set `snp_guest_policy` back to a value with bit 19 clear (Kata\'s default is 196608, ' +
      `0x30000) in [hypervisor.qemu] ${CONFIG_HINT}; for plain SEV keep NODBG (bit 0) set, or better, move ` +
      'the runtime class to SEV-SNP (`sev_snp_guest = true`).',
  },
  {
    id: 'KATA-TEE-003',
    severity: 'high',
    title: 'A device is passed through to a confidential guest without IOMMUFD',
    scope: 'sandbox',
    rationale: `${TM_TEE}: Kata requires IOMMUFD (\`-object iommufd\`, \`vfio-pci …,iommufd=\`, the cdev ` +
      '/dev/vfio/devices/vfioN) for VFIO into a confidential guest; the Go runtime refuses a legacy group ' +
      '("ConfidentialGuest needs IOMMUFD", reference 4.x §8.6, §8.8). A device bound through the legacy VFIO ' +
      'group container is outside the confidential device model Kata supports: the whole group is handed over ' +
      '(group expansion), and a runtime that let it through is not behaving as the one Kata ships.',
    remediation: 'Hand the device to the pod as its VFIO cdev (/dev/vfio/devices/vfioN from the device plugin ' +
      'or CDI spec) on a host with /dev/iommu (Linux 6.6+, `CONFIG_IOMMUFD`, `CONFIG_VFIO_DEVICE_CDEV`), and run ' +
      'a Kata release that selects IOMMUFD (Go 3.15+, runtime-rs 3.31+).',
  },
  {
    id: 'KATA-TEE-004',
    severity: 'medium',
    title: 'A confidential guest runs on a host that does not offer its TEE',
    scope: 'sandbox',
    rationale: `${TM_TEE}: Kata decides a host can run TDX when /sys/module/kvm_intel/parameters/tdx is Y, ` +
      'SEV-SNP when kvm_amd\'s sev_snp is Y (SEV: sev), and Secure Execution when facility 158 and prot_virt ' +
      'are present (reference 4.x §8.1). A VMM that claims a TEE guest where the host shows no such capability ' +
      'is either not the guest it says (the protection the pod was promised is absent) or reads a host the ' +
      'agent cannot see properly; either way the confidentiality of that pod cannot be vouched for here.',
    remediation: 'Check the host: `cat /sys/module/kvm_intel/parameters/tdx` or ' +
      '`/sys/module/kvm_amd/parameters/sev_snp` (the BIOS TEE settings and the kvm module options in ' +
      '/etc/modprobe.d/), the TEE firmware under /opt/kata/share/ovmf/, and schedule confidential runtime ' +
      'classes only on nodes that advertise the TEE (NFD labels `tdx.intel.com/keys`, `sev-snp.amd.com/esids`).',
  },
  {
    id: 'KATA-TEE-005',
    severity: 'medium',
    title: 'A confidential guest shares a host directory (shared_fs is not "none")',
    scope: 'sandbox',
    rationale: `${TM_TEE}: confidential classes run with \`shared_fs = "none"\` (reference 4.x §8.6, §8.7): ` +
      'images are pulled inside the guest, so nothing the host writes is trusted. A virtio-fs or 9p share ' +
      'hands the guest files the untrusted host controls and keeps guest RAM in host-shared memory (/dev/shm) ' +
      'for virtiofsd, outside the measured and encrypted state the TEE protects.',
    remediation: `Set \`shared_fs = "none"\` in [hypervisor.qemu] ${CONFIG_HINT}; kata-deploy's ` +
      '`qemu-tdx`, `qemu-snp` and `qemu-se` classes ship it that way.',
  },
  {
    id: 'KATA-TEE-006',
    severity: 'medium',
    title: 'A confidential guest\'s kernel command line turns on debugging',
    scope: 'sandbox',
    rationale: `${TM_TEE}: \`agent.debug_console\` gives a root shell over vsock port 1026, \`agent.log=debug\` ` +
      'streams the agent\'s view of the workload to the host\'s logs and `initcall_debug` the boot. They are in ' +
      'the measured command line, so attestation should refuse the guest its secrets; a relying party that does ' +
      'not check the measurement gives them to a guest the host can enter (reference 4.x §8.7). Secure ' +
      'Execution seals the real command line in the image, so for it the argv is only indicative.',
    remediation: `Set \`debug_console_enabled = false\` and \`enable_debug = false\` ${CONFIG_HINT}; on ` +
      'kata-deploy 4.0 or earlier remove `debug: true` from the Helm values, and drop the `-debug`/`-devkit` ' +
      'runtime classes from confidential workloads.',
    escalation: { severity: 'high', when: 'the debug console (`agent.debug_console`) is on' },
  },
  {
    id: 'KATA-TEE-007',
    severity: 'high',
    title: 'A TEE object is declared but the VM is not confidential',
    scope: 'sandbox',
    rationale: `${TM_TEE}: QEMU makes a VM confidential only when \`-machine …,confidential-guest-support=<id>\` ` +
      'names the TEE object; a `tdx-guest`, `sev-snp-guest`, `sev-guest` or `s390-pv-guest` object nothing ' +
      'names is inert and the guest runs as an ordinary VM whose memory the host reads. Both runtimes always ' +
      'write the pair together (reference 4.x §2.3), so a lone object is a command line someone else wrote.',
    remediation: 'Restore the runtime\'s own QEMU invocation (check `hypervisor_path`, wrapper scripts and ' +
      '`machine_accelerators` / `machine_type` overrides) and recreate the pod.',
  },
  {
    id: 'KATA-TEE-008',
    severity: 'high',
    title: 'A Kata configuration sets an SEV-SNP guest policy that allows debugging',
    scope: 'host',
    rationale: `${TM_TEE}: \`snp_guest_policy\` becomes the SNP guest's policy (the Go runtime writes it in ` +
      'decimal, runtime-rs in hex; reference 4.x §8.3). With bit 19, DEBUG, set (e.g. 720896 = 0xB0000) every ' +
      'confidential pod this file starts lets the host decrypt its memory; Kata\'s default is 196608 (0x30000). ' +
      'This is what could run; KATA-TEE-002 judges the guests that do.',
    remediation: `Remove the override or set \`snp_guest_policy = 196608\` in [hypervisor.qemu] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-TEE-009',
    severity: 'high',
    title: 'The configuration asks for a confidential guest, but the VMM runs without a TEE',
    scope: 'sandbox',
    rationale: `${TM_TEE}: the sandbox's resolved configuration sets \`confidential_guest = true\`, so the pod ` +
      'was scheduled as a confidential one (a TDX, SEV-SNP or Secure Execution runtime class), yet its VMM ' +
      'command line carries no TEE object (`tdx-guest`, `sev-snp-guest`, `sev-guest`, `s390-pv-guest`): the ' +
      'guest runs in ordinary memory the host can read. Kata picks the TEE from the host at start (reference ' +
      '4.x §8.1-8.4); a host that offers none, a wrapper around the VMM or a patched runtime leaves this shape. ' +
      'kata-deploy\'s `qemu-coco-dev` classes run the CoCo stack without a TEE on purpose and do not set it.',
    remediation: 'Drain confidential pods from the node and check its TEE (`/sys/module/kvm_intel/parameters/tdx`, ' +
      '`/sys/module/kvm_amd/parameters/sev_snp`, the firmware under /opt/kata/share/ovmf/), and the VMM the ' +
      'runtime class starts (`hypervisor_path`); schedule confidential runtime classes only on nodes that ' +
      'advertise the TEE. Treat secrets released to this pod as disclosed.',
  },
  {
    id: 'KATA-TRUST-001',
    severity: 'high',
    title: 'A process poses as a Kata VMM but is not one (look-alike)',
    scope: 'sandbox',
    rationale: `${TM_TRUST}: a process named like a Kata shim, VMM or virtiofsd failed the trust checks ` +
      '(executable not on the allowed list or not the host\'s file at that path, a shim not running as root or ' +
      'not in its runtime bundle, a foreign pid namespace, or a uid different from its shim\'s). It may be a ' +
      'workload impersonating a sandbox to hide, or to inflate or mislead the audit; it is reported apart and ' +
      'judged by this rule only.',
    remediation: 'Find who started it: `ps -o pid,ppid,uid,cmd -p <pid>`, `ls -l /proc/<pid>/exe`, ' +
      '`cat /proc/<pid>/cgroup`. If the binary is a legitimate Kata install in another place, add its path with ' +
      '`--trust.exe-paths` (or to `valid_hypervisor_paths`); if a legitimate shim runs outside the default ' +
      'bundle directories, name them with `--trust.bundle-dirs`; otherwise stop it and investigate the pod that ' +
      'owns its cgroup.',
  },
  {
    id: 'KATA-TRUST-002',
    severity: 'medium',
    title: 'A Kata VMM runs without a live shim',
    scope: 'sandbox',
    rationale: `${TM_TRUST}: an allowed VMM binary whose Kata shim is gone is a VM nobody manages: no pod ` +
      'accounts for it, the runtime will not stop it, and its devices and host resources stay live. It is ' +
      'judged by this rule only, because without a shim the agent cannot tie it to a pod.',
    remediation: 'Check whether a pod still owns the sandbox id (`crictl pods --id <id>`); if not, stop the VMM ' +
      '(`kill <pid>`) and remove its leftover state (`/run/vc/sbs/<id>`, `/run/vc/vm/<id>` or `/run/kata/<id>`). ' +
      'Look for the shim\'s exit in the containerd journal (`journalctl -u containerd`).',
  },
  {
    id: 'KATA-TRUST-003',
    severity: 'high',
    title: 'A process claims the id of a trusted sandbox it is not part of',
    scope: 'sandbox',
    rationale: `${TM_TRUST}: a second anchored shim, or a VMM outside the shim's process tree, claims the id ` +
      'of a sandbox the agent already trusts. Kata never starts two shims for one sandbox, nor a VMM outside the ' +
      'shim\'s tree except the daemonized shapes (which join only while the sandbox has no VMM). Such a claim is ' +
      'an attempt to take over the sandbox\'s identity, its pod labels or its device inventory; it is reported ' +
      'apart and never merged.',
    remediation: 'Compare the claimant with the sandbox\'s shim: `cat /run/containerd/io.containerd.runtime.v2.task/' +
      '<namespace>/<id>/shim.pid`, `ps -o pid,ppid,uid,cmd -p <pid>`, `ls -l /proc/<pid>/exe /proc/<pid>/cwd`. ' +
      'Stop the process that is not the runtime\'s and find who started it (its cgroup names the pod or the unit).',
  },
  {
    id: 'KATA-VFIO-001',
    severity: 'medium',
    title: 'A host device is passed through to the guest (VFIO)',
    scope: 'sandbox',
    rationale: `${TM_VFIO}: the guest drives real hardware, including its DMA engine and firmware. ` +
      'Isolation then rests on the IOMMU, on interrupt remapping and on the device resetting cleanly between ' +
      'tenants, not on the VMM.',
    remediation: 'Pass devices through only to pods that need them; keep the IOMMU on (`intel_iommu=on` or ' +
      '`amd_iommu=on` on the host kernel command line), interrupt remapping on, and whole IOMMU groups bound ' +
      'to vfio-pci.',
    escalation: {
      severity: 'high',
      when: 'the host has no working IOMMU, allows unsafe interrupts, or runs VFIO in no-IOMMU mode',
    },
  },
  {
    id: 'KATA-VFIO-002',
    severity: 'high',
    title: 'A sandbox holds a non-viable IOMMU group',
    scope: 'sandbox',
    rationale: `${TM_VFIO}: the devices of one IOMMU group can reach each other's memory without the IOMMU ` +
      'in between. When the sandbox holds the group while another member is bound to a host driver, the ' +
      'guest\'s device can DMA into that host device.',
    remediation: 'Bind every device of the group to vfio-pci (or unbind it): ' +
      '`ls /sys/kernel/iommu_groups/<group>/devices`, then for each `echo vfio-pci > ' +
      '/sys/bus/pci/devices/<bdf>/driver_override` and `echo <bdf> > /sys/bus/pci/drivers_probe`; or move the ' +
      'card to a slot with its own group (ACS).',
  },
  {
    id: 'KATA-VFIO-003',
    severity: 'medium',
    title: 'A device bound to vfio-pci sits in a non-viable IOMMU group',
    scope: 'host',
    rationale: `${TM_VFIO}: a group whose other members are bound to host drivers cannot be isolated; once ` +
      'a VMM is given it (or forces it open), the guest device can DMA into host devices of the same group.',
    remediation: 'Bind the whole group to vfio-pci or unbind the device from vfio-pci: ' +
      '`ls /sys/kernel/iommu_groups/<group>/devices`, then `echo <bdf> > /sys/bus/pci/drivers/vfio-pci/unbind` ' +
      'or bind the other members to vfio-pci.',
  },
  {
    id: 'KATA-VFIO-004',
    severity: 'high',
    title: 'VFIO allows unsafe interrupts (no interrupt remapping)',
    scope: 'host',
    rationale: `${TM_VFIO}: \`allow_unsafe_interrupts\` (vfio_iommu_type1 for legacy VFIO groups, iommufd for ` +
      'devices bound through a VFIO cdev) lets VFIO assign devices on a host without interrupt remapping, so a ' +
      'passed-through device can forge MSI writes and inject interrupts into the host. While a device is ' +
      'passed through to a running sandbox that is a path from an untrusted guest into the host\'s interrupt ' +
      'handling, so the finding is then critical, as no-IOMMU mode is when devices are bound.',
    remediation: 'Enable interrupt remapping in the firmware and kernel, then `echo 0 > ' +
      '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts` (and the same for ' +
      '/sys/module/iommufd/parameters/allow_unsafe_interrupts) and remove ' +
      '`vfio_iommu_type1.allow_unsafe_interrupts=1` / `iommufd.allow_unsafe_interrupts=1` from the kernel ' +
      'command line and /etc/modprobe.d/.',
    escalation: { severity: 'critical', when: 'a device is passed through to a running sandbox' },
  },
  {
    id: 'KATA-VFIO-005',
    severity: 'high',
    title: 'VFIO no-IOMMU mode is enabled',
    scope: 'host',
    rationale: `${TM_VFIO}: \`enable_unsafe_noiommu_mode\` lets VFIO hand out devices with no IOMMU at all: ` +
      'the device, and so the guest that drives it, can DMA to any host physical memory.',
    remediation: 'Turn it off: `echo N > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode`, remove ' +
      '`vfio.enable_unsafe_noiommu_mode=1` from the kernel command line and /etc/modprobe.d/, and enable the ' +
      'IOMMU (`intel_iommu=on` / `amd_iommu=on`).',
    escalation: { severity: 'critical', when: 'devices are bound to vfio-pci' },
  },
  {
    id: 'KATA-VFIO-006',
    severity: 'high',
    title: 'VFIO is in use on a host without a working IOMMU',
    scope: 'host',
    rationale: `${TM_VFIO}: device assignment is only safe when the IOMMU confines the device's DMA. With no ` +
      'IOMMU groups on the host, vfio-pci devices (or the loaded VFIO PCI driver) have nothing to confine them.',
    remediation: 'Enable VT-d / AMD-Vi in the firmware and boot with `intel_iommu=on` (or `amd_iommu=on`); ' +
      'until then unbind devices from vfio-pci and `modprobe -r vfio_pci`.',
  },
  {
    id: 'KATA-VFS-001',
    severity: 'medium',
    title: 'virtiofsd runs without its namespace sandbox',
    scope: 'sandbox',
    rationale: `${TM_VHOST_USER}: virtiofsd runs as root and serves guest FUSE requests. Its namespace ` +
      'sandbox (new pid, mount and net namespaces, pivot_root into the shared directory) is what keeps a ' +
      'compromised virtiofsd from the host filesystem and network. `chroot` only changes the root directory ' +
      'of a process that keeps host namespaces; `none` keeps the whole host view.',
    remediation: 'Let virtiofsd use its default `--sandbox namespace`: remove `--sandbox=none`, ' +
      '`--sandbox=chroot` or `-o sandbox=chroot` from `virtio_fs_extra_args` in [hypervisor.<name>] ' +
      `${CONFIG_HINT}, and make sure pods cannot set them (see KATA-CFG-001).`,
    escalation: { severity: 'high', when: 'the sandbox mode is none' },
  },
  {
    id: 'KATA-VFS-002',
    severity: 'high',
    title: 'virtiofsd runs without seccomp',
    scope: 'sandbox',
    rationale: `${TM_VHOST_USER}: virtiofsd's seccomp allow-list is what limits a compromised daemon to ` +
      'file-serving syscalls. Without it (or with `--seccomp=log`, which only logs) the guest-driven root ' +
      'daemon has the full host syscall surface. Critical when the namespace sandbox is missing too: nothing ' +
      'is left between the guest and root on the host.',
    remediation: 'Remove `--seccomp=none` / `--seccomp=log` from `virtio_fs_extra_args` in [hypervisor.<name>] ' +
      `${CONFIG_HINT} (virtiofsd defaults to \`--seccomp kill\`), and make sure pods cannot set it (see ` +
      'KATA-CFG-001).',
    escalation: { severity: 'critical', when: 'virtiofsd also runs without its namespace sandbox (none or chroot)' },
  },
  {
    id: 'KATA-VFS-003',
    severity: 'medium',
    title: 'virtio-fs DAX window maps host page cache into the guest',
    scope: 'sandbox',
    rationale: `${TM_VHOST_USER}: with a DAX window (\`virtio_fs_cache_size\` > 0) host page-cache pages of ` +
      'shared files are mapped straight into guest memory, a second channel next to the FUSE protocol: ' +
      'a host-side truncate turns guest accesses into faults in the VMM, and the guest observes host caching.',
    remediation: `Set \`virtio_fs_cache_size = 0\` in [hypervisor.<name>] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-VFS-004',
    severity: 'info',
    title: 'virtiofsd confinement not verified yet',
    scope: 'sandbox',
    rationale: `${TM_VHOST_USER}: virtiofsd enters its sandbox and installs seccomp only when the VMM ` +
      'connects (pending), and some shapes cannot be observed (unknown). Until then the agent cannot confirm ' +
      'the confinement; the unsandboxed and no-seccomp rules wait for an observation instead of guessing.',
    remediation: 'Nothing to do if the sandbox is starting; the next scan judges it. If it stays pending, ' +
      'check the VMM connected (`ls -l /proc/<vmm pid>/fd | grep virtiofsd`) and that virtiofsd is not stuck.',
  },
  {
    id: 'KATA-VFS-005',
    severity: 'high',
    title: 'nydusd serves the shared filesystem unconfined',
    scope: 'sandbox',
    rationale: `${TM_VHOST_USER}: with \`shared_fs = "virtio-fs-nydus"\` nydusd is the vhost-user-fs backend the ` +
      'guest drives. Unlike virtiofsd it has no sandbox, seccomp or capability-dropping option: Kata starts it ' +
      'as root with every capability, in the host\'s namespaces (the Go runtime puts it in the host network ' +
      'namespace on purpose, to reach registries), so a bug in its FUSE or RAFS handling reached from the guest ' +
      'is a root process on the host. Critical when it also runs without seccomp, which is how Kata ships it.',
    remediation: 'Prefer `shared_fs = "virtio-fs"` (virtiofsd, which confines itself) in [hypervisor.<name>] ' +
      `${CONFIG_HINT}; where images must be lazily pulled, pull them in the guest (nydus-snapshotter's guest-pull ` +
      'mode runs no nydusd on the host) instead of serving RAFS from the host.',
    escalation: { severity: 'critical', when: 'nydusd also runs without seccomp (Seccomp 0)' },
  },
  {
    id: 'KATA-VMM-001',
    severity: 'high',
    title: 'The VMM runs without seccomp',
    scope: 'sandbox',
    rationale: `${TM_VMM}: the VMM parses every guest-controlled device model it emulates. Without a ` +
      'seccomp filter a bug in any of them gives the guest the full syscall surface of a root process. ' +
      'QEMU runs this way with Kata\'s defaults.',
    remediation: 'QEMU: set `seccompsandbox = "on,obsolete=deny,spawn=deny,resourcecontrol=deny"` in ' +
      '[hypervisor.qemu]; Cloud Hypervisor, Firecracker, Dragonball: set `disable_seccomp = false` in ' +
      `[hypervisor.<name>]; ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-VMM-002',
    severity: 'high',
    title: 'The VMM shares the host\'s mount or network namespace',
    scope: 'sandbox',
    rationale: `${TM_VMM}: Kata places the VMM in the pod network namespace and in the shim's own mount ` +
      'namespace, so an escaped VMM sees neither the host\'s network (node-local services, the cloud metadata ' +
      'endpoint) nor its mount table. Sharing them with the host removes that layer.',
    remediation: 'Do not run Kata pods with `hostNetwork: true` (the pod network namespace is then the ' +
      'host\'s); keep `disable_new_netns = false` in [runtime]; compare `readlink /proc/<vmm pid>/ns/{mnt,net}` ' +
      'with `/proc/1/ns/{mnt,net}`, and recreate the pod once fixed.',
  },
  {
    id: 'KATA-VMM-003',
    severity: 'high',
    title: 'Threads run outside the process\'s seccomp filter',
    scope: 'sandbox',
    rationale: `${TM_VMM}: seccomp filters are per thread, but threads share one address space. A process ` +
      'whose leader is filtered while some threads are not is as exposed as an unfiltered one: code running ' +
      'in a filtered thread can take over an unfiltered thread and make its syscalls.',
    remediation: 'Update the component (threads created before the filter is installed without TSYNC are a ' +
      'bug of the VMM or virtiofsd version); check `grep Seccomp: /proc/<pid>/task/*/status`.',
  },
  {
    id: 'KATA-VMM-004',
    severity: 'low',
    title: 'The VMM runs as root',
    scope: 'sandbox',
    rationale: `${TM_VMM}: a VMM running as uid 0 turns any escape from the device model into root on the ` +
      'host, limited only by its seccomp filter and capabilities. It is the Kata default for every VMM.',
    remediation: `QEMU and Cloud Hypervisor: set \`rootless = true\` in [hypervisor.<name>] ${CONFIG_HINT}.`,
  },
  {
    id: 'KATA-VSOCK-001',
    severity: 'medium',
    title: 'In-kernel vhost-vsock backend serves the agent channel',
    scope: 'sandbox',
    rationale: `${TM_VHOST}: with vhost-vsock the guest's vsock virtqueues are processed by host kernel code ` +
      '(vhost_vsock and the AF_VSOCK core) with nothing in between. QEMU uses it for the Kata agent channel; ' +
      'Cloud Hypervisor, Firecracker and Dragonball use a hybrid vsock served by the VMM in userspace.',
    remediation: 'Run the pod with a hybrid-vsock VMM (the Cloud Hypervisor, Firecracker or Dragonball ' +
      'runtime classes); QEMU has no userspace alternative for the agent channel.',
  },
] as const satisfies readonly CatalogueRule[];

/** Every rule id the catalogue declares. Findings are built from these only (see `finding`). */
export type RuleId = (typeof CATALOGUE)[number]['id'];

/** The catalogue as the rest of the engine reads it: plain CatalogueRules whose ids are known. */
export type KnownRule = CatalogueRule & { readonly id: RuleId };

export const RULES: readonly KnownRule[] = CATALOGUE;

/**
 * One area's checks (src/assess/checks/*.ts), declared with `satisfies CheckTable`: a key that is not a rule id
 * fails to compile. assess.ts combines the tables into a Record<RuleId, RuleCheck>, so a rule without a check
 * fails to compile too.
 */
export type CheckTable = Readonly<Partial<Record<RuleId, RuleCheck>>>;

const BY_ID: ReadonlyMap<string, KnownRule> = new Map(RULES.map((rule) => [rule.id, rule]));

/** Whether `id` (from a flag, a policy file, a URL) names a rule in the catalogue. */
export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

export function ruleById(id: string): KnownRule | undefined {
  return BY_ID.get(id);
}

/** Anchor of the rule's section in docs/rules.md: the id in lower case, so runbook links survive title edits. */
export function ruleAnchor(id: string): string {
  return id.toLowerCase();
}

/**
 * Builds a finding from its catalogue entry: severity, title and remediation are copied, never restated by a
 * check. `escalate` selects the severity the rule documents in `escalation`; asking for it on a rule without
 * one is a programming error and throws (the assessment records it as a failure of that rule).
 */
export function finding(ruleId: RuleId, sandboxId: string | null, evidence: string, escalate = false): Finding {
  const rule = BY_ID.get(ruleId);
  if (!rule) throw new Error(`unknown rule id ${ruleId}`);
  if (escalate && !rule.escalation) throw new Error(`rule ${ruleId} documents no escalation`);
  return {
    rule: rule.id,
    severity: escalate && rule.escalation ? rule.escalation.severity : rule.severity,
    title: rule.title,
    sandboxId,
    evidence,
    remediation: rule.remediation,
  };
}
