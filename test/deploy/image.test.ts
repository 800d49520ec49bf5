// The container image, really built and run with podman, offline.
//
// No registry can be reached here, so the test assembles its own base images from this machine's Node.js:
//   runtime base: /usr/bin/node (or wherever `node` lives), the shared libraries ldd lists, /etc/passwd and /etc/group
//   build base:   the same plus npm, /bin/sh, rm, mkdir and env (npm run build is `rm -rf dist && tsc`)
// Each is a root filesystem tar given to `podman import`. The Dockerfile is then built with
// `--build-arg BUILD_IMAGE=... --build-arg BASE_IMAGE=...` and `--network=none`: npm ci runs offline from the host's
// npm cache, warmed first from the lock file on the host (the registry is reachable from the host, not from inside
// the build), mounted as an overlay so that the build cannot change it. The image runs with a fixture host mounted
// read-only at /host, as the DaemonSet mounts the real one, and is scraped from inside the container with
// `podman exec node -e fetch(...)` (the container has no network).
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { FixtureHost } from '../../src/fixture-host/description.js';
import { loadFixtureHost, materialiseFixtureHost } from '../../src/fixture-host/materialise.js';
import { onPath, repoPath, run, type RunResult } from '../helpers/deploy.js';

const PODMAN_RUN_FLAGS = ['--runtime=runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096', '--network=none'];
const tag = `${process.pid}-${Date.now().toString(36)}`;
const IMAGE = `localhost/kata-audit-test:${tag}`;
const RUNTIME_BASE = `localhost/kata-audit-test-base:${tag}`;
const BUILD_BASE = `localhost/kata-audit-test-build:${tag}`;
const CONTAINER = `kata-audit-test-${tag}`;

const work = mkdtempSync(path.join(tmpdir(), 'kata-audit-image-'));
let built: { ok: true } | { ok: false; why: string } = { ok: false, why: 'the build test did not run' };

test.after.always('remove the containers, images and temporary files', async () => {
  await run('podman', ['rm', '--force', '--time', '0', CONTAINER], { timeoutMs: 30_000 });
  await run('podman', ['rmi', '--force', IMAGE, RUNTIME_BASE, BUILD_BASE], { timeoutMs: 60_000 });
  rmSync(work, { recursive: true, force: true });
});

function explain(r: RunResult): string {
  return `${r.command} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`;
}

/** Copies a file into a root filesystem at the same path (following links to the real file). */
function addFile(rootfs: string, file: string, mode?: number): void {
  const target = path.join(rootfs, file);
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(realpathSync(file), target, { dereference: true });
  if (mode !== undefined) chmodSync(target, mode);
}

/** The shared libraries (and loader) an executable needs, as ldd prints them. */
async function sharedLibraries(executable: string): Promise<string[]> {
  const r = await run('ldd', [executable]);
  if (r.code !== 0) throw new Error(explain(r));
  const libs: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const arrow = /=>\s*(\/\S+)/.exec(line);
    const loader = /^\s*(\/\S+)\s+\(/.exec(line);
    if (arrow) libs.push(arrow[1]!);
    else if (loader) libs.push(loader[1]!);
  }
  return libs;
}

async function assembleBase(name: string, withNpm: boolean): Promise<void> {
  const rootfs = path.join(work, `rootfs-${withNpm ? 'build' : 'runtime'}`);
  const nodeBin = realpathSync(process.execPath);
  const executables = [nodeBin];
  if (withNpm) for (const tool of ['dash', 'rm', 'mkdir', 'env']) executables.push(realpathSync((await run('sh', ['-c', `command -v ${tool}`])).stdout.trim()));
  for (const exe of executables) {
    addFile(rootfs, exe, 0o755);
    for (const lib of await sharedLibraries(exe)) addFile(rootfs, lib);
  }
  // node is on the image's PATH (/usr/bin) whatever the host layout; /bin is /usr/bin as on Debian 12.
  if (!existsSync(path.join(rootfs, 'usr/bin/node'))) {
    mkdirSync(path.join(rootfs, 'usr/bin'), { recursive: true });
    cpSync(nodeBin, path.join(rootfs, 'usr/bin/node'));
  }
  mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
  writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
  writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
  mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
  chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  mkdirSync(path.join(rootfs, 'root'), { recursive: true });
  if (withNpm) {
    const npmDir = path.resolve(path.dirname(realpathSync((await run('sh', ['-c', 'command -v npm'])).stdout.trim())), '..');
    cpSync(npmDir, path.join(rootfs, 'usr/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
    const bin = path.join(rootfs, 'usr/bin');
    for (const [link, target] of [['npm', '../lib/node_modules/npm/bin/npm-cli.js'], ['npx', '../lib/node_modules/npm/bin/npx-cli.js'], ['sh', 'dash']] as const) {
      rmSync(path.join(bin, link), { force: true });
      await run('ln', ['-s', target, path.join(bin, link)]);
    }
  }
  if (!existsSync(path.join(rootfs, 'bin'))) await run('ln', ['-s', 'usr/bin', path.join(rootfs, 'bin')]);
  const tar = `${rootfs}.tar`;
  const packed = await run('tar', ['-C', rootfs, '-cf', tar, '.'], { timeoutMs: 120_000 });
  if (packed.code !== 0) throw new Error(explain(packed));
  const imported = await run('podman', ['import', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', '--change', 'ENV HOME=/root', tar, name], { timeoutMs: 120_000 });
  if (imported.code !== 0) throw new Error(explain(imported));
  rmSync(rootfs, { recursive: true, force: true });
  rmSync(tar, { force: true });
}

/**
 * The host's npm cache, holding every package of the lock file: `npm ci --prefer-offline` in a scratch directory
 * fetches only what the cache lacks (the registry is reachable from the host, not from inside the build). The build
 * mounts it as an overlay (`:O`), so the container's writes never reach the host's cache.
 */
async function warmNpmCache(): Promise<string> {
  const cache = (await run('npm', ['config', 'get', 'cache'])).stdout.trim();
  if (cache === '' || !path.isAbsolute(cache)) throw new Error(`npm reports no usable cache directory ("${cache}")`);
  const scratch = path.join(work, 'warm');
  mkdirSync(scratch, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) cpSync(repoPath(f), path.join(scratch, f));
  const warmed = await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--cache', cache], { cwd: scratch, timeoutMs: 300_000 });
  if (warmed.code !== 0) throw new Error(`cannot fill the npm cache from package-lock.json:\n${explain(warmed)}`);
  rmSync(scratch, { recursive: true, force: true });
  return cache;
}

/** A small host with one Kata sandbox (shim, QEMU, virtiofsd), used until examples/example-node.yaml exists. */
const SMALL_HOST: FixtureHost = {
  hostname: 'image-test-node',
  kernelRelease: '6.8.0-image-test',
  processes: [
    { pid: 1, ppid: 0, argv: ['/sbin/init'], exe: '/usr/lib/systemd/systemd' },
    {
      pid: 4100, ppid: 1,
      argv: ['/opt/kata/bin/containerd-shim-kata-v2', '-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-id', 'a'.repeat(64)],
      exe: '/opt/kata/bin/containerd-shim-kata-v2',
    },
    {
      pid: 4200, ppid: 4100,
      argv: ['/opt/kata/bin/qemu-system-x86_64', '-name', `sandbox-${'a'.repeat(64)}`, '-machine', 'q35,accel=kvm', '-device', 'vhost-vsock-pci,id=vsock-1,guest-cid=3'],
      exe: '/opt/kata/bin/qemu-system-x86_64',
      fds: { '3': '/dev/kvm', '4': '/dev/vhost-vsock' },
    },
  ],
  dirs: ['sys/module/vhost_vsock', 'sys/kernel/iommu_groups', 'sys/devices/system/cpu/vulnerabilities'],
};

/** Makes a materialised tree readable by the image's non-root user (mkdtemp creates 0700). */
function openUp(dir: string): void {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir)) openUp(path.join(dir, entry));
  } else {
    chmodSync(dir, 0o644);
  }
}

/** Runs `node -e` inside the running container: the only way to reach a container started with --network=none. */
async function inContainer(script: string, timeoutMs = 20_000): Promise<RunResult> {
  return run('podman', ['exec', CONTAINER, 'node', '-e', script], { timeoutMs });
}

const FETCH = (urlPath: string): string =>
  `fetch('http://127.0.0.1:9873${urlPath}', { signal: AbortSignal.timeout(10000) })` +
  `.then(async (r) => { process.stdout.write(JSON.stringify({ status: r.status, type: r.headers.get('content-type'), body: await r.text() })); })` +
  `.catch((e) => { process.stdout.write(JSON.stringify({ status: 0, type: null, body: String(e && e.cause ? e.cause.code || e.cause : e) })); })`;

interface Fetched { status: number; type: string | null; body: string }
async function fetchInside(urlPath: string): Promise<Fetched> {
  const r = await inContainer(FETCH(urlPath));
  if (r.code !== 0) return { status: 0, type: null, body: explain(r) };
  return JSON.parse(r.stdout) as Fetched;
}

async function requirePodman(t: ExecutionContext): Promise<boolean> {
  if (!onPath('podman')) {
    t.fail('podman is not installed: .ci/run installs it (apt-get install podman buildah)');
    return false;
  }
  return true;
}

test.serial('the Dockerfile builds offline on a base assembled from this machine\'s Node.js', async (t) => {
  t.timeout(15 * 60_000);
  if (!(await requirePodman(t))) return;
  await assembleBase(RUNTIME_BASE, false);
  await assembleBase(BUILD_BASE, true);
  const cache = await warmNpmCache();
  const build = await run('podman', [
    'build', '--layers=false', '--force-rm', '--runtime=runc', '--network=none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096',
    '--volume', `${cache}:/npm-cache:O`,
    '--build-arg', 'npm_config_cache=/npm-cache', '--build-arg', 'npm_config_offline=true',
    '--build-arg', `BUILD_IMAGE=${BUILD_BASE}`, '--build-arg', `BASE_IMAGE=${RUNTIME_BASE}`,
    '--build-arg', 'REVISION=test', '--build-arg', 'VERSION=test',
    '--file', repoPath('Dockerfile'), '--tag', IMAGE, repoPath(),
  ], { timeoutMs: 12 * 60_000 });
  if (build.code !== 0) {
    built = { ok: false, why: 'the image did not build (see the build test)' };
    t.fail(`podman build failed:\n${explain(build)}`);
    return;
  }
  built = { ok: true };

  const inspected = await run('podman', ['image', 'inspect', IMAGE]);
  t.is(inspected.code, 0, explain(inspected));
  const [image] = JSON.parse(inspected.stdout) as Array<{ Config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; ExposedPorts?: Record<string, unknown>; Env?: string[]; Labels?: Record<string, string> } }>;
  const config = image!.Config;
  t.is(config.User, '65532:65532', 'the image runs as a non-root user by default');
  t.deepEqual(config.Entrypoint, ['node', '--enable-source-maps', '/app/dist/src/cli.js'], 'node runs the CLI directly');
  t.deepEqual(config.Cmd, ['serve']);
  t.truthy(config.ExposedPorts?.['9873/tcp'], 'EXPOSE 9873');
  t.true((config.Env ?? []).some((e) => /^NODE_OPTIONS=.*--max-old-space-size=\d+/.test(e)), 'the heap is capped');
  for (const label of ['title', 'description', 'source', 'licenses', 'version', 'revision', 'created', 'base.name']) {
    t.truthy(config.Labels?.[`org.opencontainers.image.${label}`], `label org.opencontainers.image.${label}`);
  }
  t.is(config.Labels?.['org.opencontainers.image.revision'], 'test');

  // Only production dependencies and the compiled JavaScript ship: no TypeScript compiler, no test runner, no sources.
  const listing = await run('podman', ['run', '--rm', ...PODMAN_RUN_FLAGS, '--entrypoint', 'node', IMAGE, '-e',
    "const fs=require('fs');console.log(JSON.stringify({ts:fs.existsSync('/app/node_modules/typescript'),ava:fs.existsSync('/app/node_modules/ava'),src:fs.existsSync('/app/src'),test:fs.existsSync('/app/dist/test'),cli:fs.existsSync('/app/dist/src/cli.js'),map:fs.existsSync('/app/dist/src/cli.js.map'),prom:fs.existsSync('/app/node_modules/prom-client')}))"]);
  t.is(listing.code, 0, explain(listing));
  t.deepEqual(JSON.parse(listing.stdout), { ts: false, ava: false, src: false, test: false, cli: true, map: true, prom: true });
});

test.serial('the image reports its version and serves /metrics for a fixture host mounted read-only at /host', async (t) => {
  t.timeout(5 * 60_000);
  if (!built.ok) {
    t.fail(`cannot run the image: ${built.why}`);
    return;
  }
  const version = await run('podman', ['run', '--rm', ...PODMAN_RUN_FLAGS, IMAGE, '--version']);
  t.is(version.code, 0, explain(version));
  t.regex(version.stdout, /\d+\.\d+\.\d+/);

  // The bundled example node, else a fixture host of the engine's tests, else a small host of our own.
  const candidates = [repoPath('examples/example-node.yaml'), repoPath('test/fixtures/hosts/go-qemu-3x/host.yaml')];
  const hostFile = candidates.find((f) => existsSync(f));
  const host = hostFile === undefined ? SMALL_HOST : loadFixtureHost(hostFile);
  t.log(`fixture host: ${hostFile ?? 'the built-in small host'}`);
  const hostDir = path.join(work, 'host');
  materialiseFixtureHost(host, hostDir);
  openUp(hostDir);

  // The pod's constraints, minus the two capabilities a fixture tree does not need: read-only root filesystem, no
  // capabilities, no privilege escalation, the image's non-root user, a tmpfs for anything written.
  const started = await run('podman', [
    'run', '--detach', '--name', CONTAINER, ...PODMAN_RUN_FLAGS,
    '--read-only', '--cap-drop=ALL', '--security-opt=no-new-privileges', '--tmpfs', '/tmp:size=16m',
    '--volume', `${hostDir}:/host:ro`,
    IMAGE, 'serve', '--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root',
    '--host.reference-pid=1', '--scan.min-interval=1s',
  ], { timeoutMs: 60_000 });
  t.is(started.code, 0, explain(started));
  if (started.code !== 0) return;

  let ready: Fetched = { status: 0, type: null, body: 'not polled' };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    ready = await fetchInside('/readyz');
    if (ready.status === 200) break;
    const state = await run('podman', ['inspect', '--format', '{{.State.Running}}', CONTAINER]);
    if (state.stdout.trim() !== 'true') break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (ready.status !== 200) {
    const logs = await run('podman', ['logs', CONTAINER]);
    t.fail(`/readyz never answered 200 (last: ${ready.status} ${ready.body.slice(0, 500)}); container logs:\n${logs.stdout}${logs.stderr}`);
    return;
  }
  t.is((await fetchInside('/healthz')).status, 200);

  const metrics = await fetchInside('/metrics');
  t.is(metrics.status, 200, metrics.body.slice(0, 500));
  t.regex(metrics.type ?? '', /^text\/plain/);
  for (const family of ['kata_audit_build_info', 'kata_audit_sandboxes', 'kata_audit_scan_success', 'kata_audit_findings']) {
    t.regex(metrics.body, new RegExp(`^# TYPE ${family} gauge$`, 'm'), `${family} is exported`);
  }
  // The numbers come from the mounted tree: the sandboxes the metrics count are the trusted ones of the report.
  const report = await fetchInside('/report.json');
  t.is(report.status, 200);
  const parsed = JSON.parse(report.body) as { sandboxes: Array<{ trusted: boolean }> };
  const trusted = parsed.sandboxes.filter((s) => s.trusted).length;
  const counted = [...metrics.body.matchAll(/^kata_audit_sandboxes\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  t.is(counted, trusted, 'kata_audit_sandboxes adds up to the trusted sandboxes of /report.json');
  if (hostFile !== undefined) t.true(trusted > 0, 'the fixture host\'s sandboxes are found through the read-only mount');

  if (onPath('promtool')) {
    const lint = await run('promtool', ['check', 'metrics'], { input: metrics.body });
    t.is(lint.code, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
    t.is(`${lint.stdout}${lint.stderr}`.trim(), '', 'promtool check metrics has nothing to report');
  }

  // The bundled example ships in the image: `scan --example` works without any host mounted.
  if (existsSync(repoPath('examples/example-node.yaml'))) {
    const example = await run('podman', ['run', '--rm', ...PODMAN_RUN_FLAGS, '--read-only', '--tmpfs', '/tmp:size=16m', IMAGE, 'scan', '--example', '--format', 'json'], { timeoutMs: 60_000 });
    t.is(example.code, 0, explain(example));
    t.is((JSON.parse(example.stdout) as { schemaVersion: number }).schemaVersion, 1);
  }

  // node is the container's PID 1 and must itself drain and exit 0 on SIGTERM, within the 5 s the daemon promises.
  const before = Date.now();
  const stopped = await run('podman', ['stop', '--time', '10', CONTAINER], { timeoutMs: 30_000 });
  t.is(stopped.code, 0, explain(stopped));
  const exit = await run('podman', ['inspect', '--format', '{{.State.ExitCode}}', CONTAINER]);
  t.is(exit.stdout.trim(), '0', 'exit code after SIGTERM');
  t.true(Date.now() - before < 8_000, `stopped in ${Date.now() - before} ms`);
});
