import type { SESClient } from '@aws-sdk/client-ses';
import type { Mailer } from '../../application/ports.js';

/**
 * Mailer on SES (v1 SendRawEmail, which both SES and the local emulator support). Every call has a
 * timeout: the emulator hangs on actions it lacks, and a hung send must never hold up a result.
 */
export class SesMailer implements Mailer {
  constructor(
    /** The client, loaded with the SES SDK on the first send. */
    private readonly client: () => Promise<SESClient>,
    private readonly options: { configurationSet?: string; timeoutMs?: number } = {},
  ) {}

  async sendRaw(message: { to: string[]; raw: Uint8Array }): Promise<{ providerMessageId: string }> {
    const [client, { SendRawEmailCommand }] = await Promise.all([this.client(), import('@aws-sdk/client-ses')]);
    const out = await client.send(
      new SendRawEmailCommand({
        Destinations: message.to,
        RawMessage: { Data: message.raw },
        ConfigurationSetName: this.options.configurationSet,
      }),
      { abortSignal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) },
    );
    return { providerMessageId: out.MessageId ?? 'unknown' };
  }
}
