import { describe, expect, it, vi } from 'vitest';
import { correlationIdOf, lambdaEntry } from '../../shared/adapters/inbound/lambda/entry.js';
import { messageIdHeader } from '../../shared/application/outbox.js';
import { bootstrap, buildDeps, forFunction } from '../../shared/runtime/bootstrap.js';
import {
  CLI_SETTINGS,
  ConfigError,
  environmentOf,
  FUNCTION_SETTINGS,
  type FunctionName,
  LOCAL_STACK_SETTINGS,
  loadConfig,
  SETTINGS,
} from '../../shared/runtime/config.js';

/** A value for every variable a function is deployed with (as the CDK stack sets them). */
function deployedEnv(name: FunctionName): Record<string, string> {
  const values: Record<string, string> = {
    TABLE_NAME: 'cchc-table',
    UPLOAD_BUCKET_NAME: 'cchc-uploads',
    SENDER_ADDRESS: 'cchc-noreply@snv.thuathienhue.gov.vn',
    SES_CONFIGURATION_SET: 'cchc-mail',
    AGGREGATOR_RECIPIENTS: 'phongcchc.snv@thuathienhue.gov.vn',
    PORTAL_URL: 'https://cchc.thuathienhue.gov.vn/',
    MAX_UPLOAD_BYTES: '10485760',
    UPLOAD_URL_TTL_SECONDS: '300',
    TEMPLATE_SIGNING_KEY_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:template',
    TOKEN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:111111111111:secret:token',
    TOKEN_TTL_DAYS: '400',
    PORTAL_ASSETS_DIR: '/var/task/portal-assets',
    REPORT_FONTS_DIR: '/var/task/fonts',
    TRUST_DIR: '/var/task/trust',
    EVENT_BUS_NAME: 'cchc-events',
  };
  return Object.fromEntries(environmentOf(FUNCTION_SETTINGS[name]).map((v) => [v, values[v]!]));
}

const FUNCTIONS = Object.keys(FUNCTION_SETTINGS) as FunctionName[];

describe('one composition root', () => {
  it.each(FUNCTIONS)('%s starts from exactly the variables the stack gives it', (name) => {
    const { deps, logger } = bootstrap(name, { ...deployedEnv(name), AWS_REGION: 'ap-southeast-1' });
    expect(deps.stores.submissions).toBeDefined();
    expect(logger).toBeDefined();
  });

  it.each(FUNCTIONS)('%s refuses to start without any one of its required variables, naming it', (name) => {
    const env = deployedEnv(name);
    const optional = new Set(['MAX_UPLOAD_BYTES', 'UPLOAD_URL_TTL_SECONDS', 'TOKEN_TTL_DAYS', 'PORTAL_ASSETS_DIR', 'REPORT_FONTS_DIR', 'TRUST_DIR']);
    for (const variable of Object.keys(env).filter((v) => !optional.has(v))) {
      const { [variable]: _gone, ...rest } = env;
      const start = () => bootstrap(name, rest);
      expect(start, `${name} without ${variable}`).toThrow(ConfigError);
      expect(start, `${name} without ${variable}`).toThrow(variable.replace(/_SECRET_ARN$/, ''));
    }
  });

  it('a setting a function was not given throws when read, naming the function and the setting', () => {
    const { deps } = bootstrap('handle-mail-feedback', deployedEnv('handle-mail-feedback'));
    expect(() => deps.config.portalUrl).toThrow(/handle-mail-feedback is not configured with portalUrl \(setting "portalUrl": PORTAL_URL\)/);
    expect(() => deps.config.maxUploadBytes).toThrow(/MAX_UPLOAD_BYTES/);
    expect(deps.config.aggregatorRecipients).toEqual(['phongcchc.snv@thuathienhue.gov.vn']);
  });

  it('an adapter a function was not given refuses use: no bucket for mail feedback, no SES for the API, no token key for the validator', async () => {
    const feedback = bootstrap('handle-mail-feedback', deployedEnv('handle-mail-feedback')).deps;
    expect(() => feedback.uploads.get({ key: 'incoming/x' }, 1)).toThrow(/not configured with the bucket/);
    const api = bootstrap('unit-api', deployedEnv('unit-api')).deps;
    expect(() => api.mailer.sendRaw({ to: ['a@b.example'], raw: new Uint8Array() })).toThrow(/not configured with a mailer/);
    expect(api.config.senderAddress).toBe('cchc-noreply@snv.thuathienhue.gov.vn');
    const validator = bootstrap('validate-submission', deployedEnv('validate-submission')).deps;
    expect(validator.tokenKey).toBeUndefined();
    const outbox = bootstrap('flush-outbox', deployedEnv('flush-outbox')).deps;
    expect(outbox.tokenKey).toBeTypeOf('function');
    await expect(outbox.templateKey()).rejects.toThrow(/has no template signing key/);
  });

  it('on AWS a sender must say its configuration set (bounces are tracked there); on the emulators it need not', () => {
    const { SES_CONFIGURATION_SET: _set, ...withoutSet } = deployedEnv('close-period');
    expect(() => loadConfig(withoutSet, FUNCTION_SETTINGS['close-period'], 'close-period')).toThrow(/SES_CONFIGURATION_SET/);
    const local = loadConfig({ ...withoutSet, AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:9' }, FUNCTION_SETTINGS['close-period'], 'close-period');
    expect(local.configurationSet).toBeUndefined();
    expect(local.credentials).toBeDefined();
    expect(loadConfig(deployedEnv('close-period'), FUNCTION_SETTINGS['close-period'], 'close-period').configurationSet).toBe('cchc-mail');
  });

  it('the CLI needs every setting; the local stack runs every function on one set of adapters', () => {
    for (const name of FUNCTIONS) for (const s of FUNCTION_SETTINGS[name]) expect(LOCAL_STACK_SETTINGS).toContain(s);
    expect(CLI_SETTINGS).toContain('tokenKey');
    expect(CLI_SETTINGS).toContain('mailSend');
    expect(Object.keys(SETTINGS)).toEqual(expect.arrayContaining([...new Set(Object.values(FUNCTION_SETTINGS).flat())]));
  });

  it("forFunction gives a function of the local stack its own view, reading through to the stack's adapters", async () => {
    const env = {
      ...deployedEnv('flush-outbox'),
      ...deployedEnv('unit-api'),
      ...deployedEnv('close-period'),
      TOKEN_TTL_DAYS: '400',
      UPLOAD_URL_TTL_SECONDS: '300',
    };
    const all = buildDeps(loadConfig(env, LOCAL_STACK_SETTINGS, 'local stack'), LOCAL_STACK_SETTINGS, 'local stack');
    const validator = forFunction(all, 'validate-submission');
    expect(validator.tokenKey).toBeUndefined();
    expect(() => validator.config.aggregatorRecipients).toThrow(/validate-submission is not configured with aggregatorRecipients/);
    const api = forFunction(all, 'unit-api');
    expect(() => api.mailer.sendRaw({ to: [], raw: new Uint8Array() })).toThrow(/unit-api is not configured with a mailer/);
    const swapped = { sendRaw: vi.fn(async () => ({ providerMessageId: 'x' })) };
    all.mailer = swapped;
    await forFunction(all, 'close-period').mailer.sendRaw({ to: [], raw: new Uint8Array() });
    expect(swapped.sendRaw).toHaveBeenCalledOnce();
  });
});

describe('Lambda entries', () => {
  it('find a correlation id in each kind of event', () => {
    expect(correlationIdOf({ requestContext: { requestId: 'req-1' } })).toBe('req-1');
    expect(correlationIdOf({ Records: [{ messageId: 'm-1' }] })).toBe('m-1');
    expect(correlationIdOf({ Records: [{ Sns: { MessageId: 'sns-1' } }] })).toBe('sns-1');
    expect(correlationIdOf({ periodId: '2021-Q1', label: 'D-1' })).toBe('2021-Q1#D-1');
    expect(correlationIdOf({ sweep: { years: [2021] } })).toBe('sweep');
    expect(correlationIdOf(undefined)).toBeUndefined();
  });

  it('log every line with the request id, the cold-start flag and the correlation id (Powertools injectLambdaContext)', async () => {
    const runtime = bootstrap('flush-outbox', deployedEnv('flush-outbox'));
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const handler = lambdaEntry(runtime, async (_event: { periodId: string }) => {
        runtime.deps.log.info('inside', { n: 1 });
        return 'done';
      });
      const context = {
        awsRequestId: 'aws-req-7',
        functionName: 'flush-outbox',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:x',
        memoryLimitInMB: '512',
      };
      expect(await handler({ periodId: '2021-Q1' }, context as never)).toBe('done');
    } finally {
      spy.mockRestore();
    }
    const entry = lines
      .map((l) => l.trim())
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'inside');
    expect(entry).toMatchObject({
      level: 'INFO',
      service: 'flush-outbox',
      function_request_id: 'aws-req-7',
      cold_start: expect.any(Boolean), // first invocation of the process's first Logger only
      correlation_id: '2021-Q1',
      n: 1,
    });
  });
});

describe('mail', () => {
  it("takes the Message-ID domain from the sender's address", () => {
    expect(messageIdHeader('receipt-1', 'cchc-noreply@snv.thuathienhue.gov.vn')).toBe('<receipt-1@snv.thuathienhue.gov.vn>');
  });
});
