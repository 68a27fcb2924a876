/**
 * The AWS SDK warns on every client import that releases after early 2027 need Node ≥ 22
 * (local-aws.md, trap 8). The local tools run on Node 20 by design; drop that one warning only.
 */
export function quietSdkNodeWarning(): void {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'NodeVersionSupportWarning') return;
    for (const l of listeners) l(warning);
  });
}
