import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mailer } from '../../application/ports.js';

/**
 * Keeps every sent message as an .eml file in `mailDir`, named after its Message-ID, once the mail
 * service accepted it. The local stack and every CLI process that talks to it wrap their mailer in
 * this, so all mail the product sends locally lands in one folder.
 */
export function emlKeepingMailer(inner: Mailer, mailDir: string): Mailer {
  return {
    async sendRaw(message) {
      const out = await inner.sendRaw(message);
      const head = Buffer.from(message.raw.subarray(0, 4096)).toString('latin1');
      const id = /^Message-ID:\s*<([^@>]+)/im.exec(head)?.[1] ?? out.providerMessageId;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await mkdir(mailDir, { recursive: true });
      // The kept copy, never the sent form: a reminder's personal link is not written to disk.
      await writeFile(join(mailDir, `${stamp}_${id.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`), message.keptCopy ?? message.raw);
      return out;
    },
  };
}
