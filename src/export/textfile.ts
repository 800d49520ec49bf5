// --output.textfile: the exposition for node_exporter's textfile collector. node_exporter may read the file
// at any moment, so it must never see a half-written one: write a temporary file in the same directory
// (rename is atomic only within one filesystem), flush it to disk, then rename it over the target. The
// temporary name is hidden and does not end in .prom, so the collector's *.prom glob never picks it up.
// prom-client never writes sample timestamps, which the collector would reject.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeTextfileAtomic(file: string, content: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      // 0644 whatever the umask: node_exporter often runs as another user than this agent.
      await handle.chmod(0o644);
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    renamed = true;
  } finally {
    if (!renamed) await rm(temp, { force: true });
  }
}
