// Configuration files shaped like Kata's shipped ones (reference §9), trimmed to what the tests read.

export const CONFIGURATION_QEMU = `# Copyright (c) 2017-2019 Intel Corporation
# XXX: WARNING: this file is auto-generated.
[hypervisor.qemu]
path = "/opt/kata/bin/qemu-system-x86_64"
kernel = "/opt/kata/share/kata-containers/vmlinux.container"
image = "/opt/kata/share/kata-containers/kata-containers.img"
machine_type = "q35"
confidential_guest = false
rootless = false
enable_annotations = ["enable_iommu", "virtio_fs_extra_args", "kernel_params"]
valid_hypervisor_paths = ["/opt/kata/bin/qemu-system-x86_64"]
kernel_params = "cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1"
cpu_features = "pmu=off"
default_vcpus = 1
default_maxvcpus = 0
default_bridges = 1
default_memory = 2048
memory_slots = 10
disable_block_device_use = false
shared_fs = "virtio-fs"
virtio_fs_daemon = "/opt/kata/libexec/virtiofsd"
valid_virtio_fs_daemon_paths = ["/opt/kata/libexec/virtiofsd"]
virtio_fs_cache_size = 0
virtio_fs_queue_size = 1024
virtio_fs_extra_args = ["--thread-pool-size=1", "--announce-submounts"]
virtio_fs_cache = "auto"
block_device_driver = "virtio-scsi"
enable_iommu = false
enable_iommu_platform = false
valid_file_mem_backends = [""]
enable_debug = false
disable_nesting_checks = false
disable_vhost_net = false
valid_entropy_sources = ["/dev/urandom","/dev/random",""]
hot_plug_vfio = "no-port"
cold_plug_vfio = "no-port"
disable_selinux = false
disable_guest_selinux = true
seccompsandbox = ""

[factory]
enable_template = false

[agent.kata]
enable_debug = false
debug_console_enabled = false
dial_timeout = 45

[runtime]
enable_debug = false
internetworking_model = "tcfilter"
disable_guest_seccomp = true
sandbox_cgroup_only = false
static_sandbox_resource_mgmt = false
enable_pprof = false
disable_new_netns = false
experimental = []
`;

export const DROP_IN_DEBUG = `# 50-debug.toml: turn on debugging for this node
[hypervisor.qemu]
enable_debug = true
seccompsandbox = "on,obsolete=deny,spawn=deny,resourcecontrol=deny"
valid_hypervisor_paths = ["/opt/kata/bin/qemu-system-x86_64", "/usr/local/bin/qemu-*"]

[agent.kata]
debug_console_enabled = true

[runtime]
enable_debug = true
`;

export const CONFIGURATION_RS_DRAGONBALL = `[hypervisor.dragonball]
path = "/opt/kata/bin/dragonball"
kernel = "/opt/kata/share/kata-containers/vmlinux.container"
default_vcpus = 1
shared_fs = "inline-virtio-fs"
disable_seccomp = false
valid_hypervisor_paths = ["/opt/kata/bin/dragonball"]

[hypervisor.dragonball.network_info]
disable_vhost_net = true

[hypervisor.qemu]
path = "/opt/kata/bin/qemu-system-x86_64"

[agent.kata]
enable_debug = false

[runtime]
hypervisor_name = "dragonball"
agent_name = "kata"
sandbox_cgroup_only = true
`;

export const CONFIGURATION_FC = `[hypervisor.firecracker]
path = "/opt/kata/bin/firecracker"
jailer_path = "/opt/kata/bin/jailer"
valid_hypervisor_paths = ["/opt/kata/bin/firecracker"]
valid_jailer_paths = ["/opt/kata/bin/jailer"]
block_device_driver = "virtio-mmio"
disable_seccomp = false
default_maxvcpus = 1

[runtime]
static_sandbox_resource_mgmt = true
`;
