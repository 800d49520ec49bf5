// Telling which of several handlers started a sandbox when the node records no handler (containerd keeps it only
// in its metadata database). kata-deploy's -debug and -devkit variants share the shim binary of their base class,
// but their drop-ins add kernel parameters (30-kernel-params.toml: `agent.log=debug initcall_debug`), and Kata
// passes kernel_params on the VMM's kernel command line: the candidate whose every parameter is on the running
// command line, and which explains the most of it, is the one in use. No unique such candidate: no answer.

/** kernel_params as Kata splits it: on whitespace. */
function words(value: unknown): string[] | null {
  if (typeof value !== 'string') return null;
  return value.split(/\s+/).filter((w) => w !== '');
}

export function chooseByKernelParams<T>(
  candidates: ReadonlyArray<{ option: T; kernelParams: unknown }>,
  cmdline: readonly string[],
): T | undefined {
  const running = new Set(cmdline);
  let best: T | undefined;
  let bestCount = -1;
  let tie = false;
  for (const { option, kernelParams } of candidates) {
    const params = words(kernelParams);
    if (params === null || !params.every((p) => running.has(p))) continue;
    const count = new Set(params).size;
    if (count > bestCount) [best, bestCount, tie] = [option, count, false];
    else if (count === bestCount) tie = true;
  }
  return tie ? undefined : best;
}
