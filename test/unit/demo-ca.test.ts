import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReport } from '../../shared/application/check-report.js';
import type { TrustConfig } from '../../shared/documents/pdf/index.js';
import { defaultRoster, leadersOn, matchLeader, organisationIsUnit } from '../../shared/domain/roster.js';
import { sampleSubmission } from '../../shared/domain/sample-submission.js';
import { defaultUnits, findUnit } from '../../shared/domain/units.js';
import { DEMO_TRUST_FILES, type DemoCa, leaderSubject, openDemoCa, organisationSubject, signedSampleReport } from '../../shared/runtime/demo-ca.js';
import { loadTrust } from '../../shared/runtime/trust.js';
import { TEST_DEMO_CA_DIR } from '../fixtures/pdf-signing.js';

/**
 * The demo CA (runtime/demo-ca.ts): made once per folder and reused, its certificates' Vietnamese
 * names, its installation in a trust folder, and the signed sample reports the demo and the tests
 * send, good and failing, as the product's own check judges them.
 */

const AT = new Date('2021-03-10T09:00:00+07:00');
const RECEIVED = new Date('2021-03-10T09:05:00+07:00');
const STP_Q1 = { unitCode: 'STP', periodId: '2021-Q1', kind: 'periodic' as const };

let scratch: string;
let ca: DemoCa;
let trust: TrustConfig;

const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cchc-demo-ca-'));
  ca = await openDemoCa(TEST_DEMO_CA_DIR);
  await ca.installTrust(join(scratch, 'trust'));
  trust = await loadTrust(join(scratch, 'trust'));
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('openDemoCa', () => {
  it('makes the CA once: two processes opening a new folder at once get one CA, and a later open finds the same root', async () => {
    const dir = join(scratch, 'data', 'demo-ca');
    const [a, b] = await Promise.all([openDemoCa(dir), openDemoCa(dir)]);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(Buffer.from(a.root.der).equals(Buffer.from(b.root.der))).toBe(true);
    const again = await openDemoCa(dir);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(a.fingerprint);
    expect(Buffer.from(again.intermediate.der).equals(Buffer.from(a.intermediate.der))).toBe(true);
    // no leftover of the process that lost the race; the private keys readable by their owner only
    expect((await readdir(join(scratch, 'data'))).sort()).toEqual(['demo-ca']);
    for (const key of ['root.key.pem', 'intermediate.key.pem', 'holder-keys.pem']) expect((await stat(join(dir, key))).mode & 0o077).toBe(0);
  }, 120_000);

  it('names itself a test CA, never to be used for real, and its root signs the intermediate', async () => {
    expect(ca.root.cert.subjectName.getField('CN')[0]).toBe('CA gốc thử nghiệm của hệ thống — không dùng thật');
    expect(ca.intermediate.cert.issuer).toBe(ca.root.cert.subject);
    expect(await ca.intermediate.cert.verify({ publicKey: ca.root.cert.publicKey })).toBe(true);
    expect(await ca.root.cert.isSelfSigned()).toBe(true);
  });
});

describe('installTrust', () => {
  it('puts the root in anchors/, the intermediate and both CRLs beside it; installing again changes nothing', async () => {
    const dir = join(scratch, 'trust-twice');
    await ca.installTrust(dir);
    await ca.installTrust(dir);
    expect(await readdir(join(dir, 'anchors'))).toEqual(['demo-root.cer']);
    expect(await readdir(join(dir, 'intermediates'))).toEqual(['demo-intermediate.cer']);
    expect((await readdir(join(dir, 'crls'))).sort()).toEqual(['demo-intermediate.crl', 'demo-root.crl']);
    expect(Buffer.from(await readFile(join(dir, DEMO_TRUST_FILES.anchor))).equals(Buffer.from(ca.root.der))).toBe(true);
  });

  it('keeps, renamed, an anchor of the same name from another CA rather than deleting it', async () => {
    const dir = join(scratch, 'trust-old');
    await ca.installTrust(dir);
    await writeFile(join(dir, DEMO_TRUST_FILES.anchor), Buffer.from('an older demo root'));
    await ca.installTrust(dir);
    const names = (await readdir(join(dir, 'anchors'))).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe('demo-root.cer');
    expect(names[1]).toMatch(/^demo-root\.replaced-\d+\.cer$/);
    expect((await readFile(join(dir, 'anchors', names[1]!))).toString()).toBe('an older demo root');
  });
});

describe('certificates for leaders and units', () => {
  it('a leader certificate carries the Vietnamese subject (CN, T, O, L) in UTF8String, the country in PrintableString', async () => {
    const identity = await ca.leaderCertificate(findUnit('STP'), { name: 'Hoàng Văn Hải', office: 'Giám đốc' }, AT);
    const cert = pkijs.Certificate.fromBER(new Uint8Array(identity.der));
    const attributes = cert.subject.typesAndValues.map((t) => [t.type, t.value.constructor.name, t.value.valueBlock.value]);
    expect(attributes).toEqual([
      ['2.5.4.6', asn1js.PrintableString.name, 'VN'],
      ['2.5.4.7', asn1js.Utf8String.name, 'Thừa Thiên Huế'],
      ['2.5.4.10', asn1js.Utf8String.name, 'Sở Tư pháp'],
      ['2.5.4.12', asn1js.Utf8String.name, 'Giám đốc'],
      ['2.5.4.3', asn1js.Utf8String.name, 'Hoàng Văn Hải'],
    ]);
    for (const [, , value] of attributes) expect(value).toBe(String(value).normalize('NFC'));
    expect(identity.cert.issuer).toBe(ca.intermediate.cert.subject);
    expect(identity.cert.notBefore.getTime()).toBeLessThanOrEqual(AT.getTime());
    expect(identity.cert.notAfter.getTime()).toBeGreaterThan(AT.getTime());
    // the same holder gets the same certificate while it is valid
    expect(await ca.leaderCertificate(findUnit('STP'), { name: 'Hoàng Văn Hải', office: 'Giám đốc' }, AT)).toBe(identity);
    const organisation = await ca.organisationCertificate(findUnit('STP'), AT);
    expect(organisation.cert.subjectName.getField('CN')).toEqual(['Sở Tư pháp']);
    expect(organisation.cert.subjectName.getField('O')).toEqual(['Sở Tư pháp']);
  });

  it("every unit's demo certificates name a leader of the roster and the unit itself, as the check reads them", () => {
    for (const unit of defaultUnits) {
      expect(organisationIsUnit(organisationSubject(unit)['2.5.4.3']!, unit), unit.code).toBe(true);
      for (const leader of leadersOn(unit.code, '2021-03-10', defaultRoster)) {
        const subject = leaderSubject(unit, leader);
        const match = matchLeader({ name: subject['2.5.4.3']!, title: subject['2.5.4.12']!, organization: subject['2.5.4.10']! }, unit, '2021-03-10');
        expect(match.leader?.name, `${unit.code} ${leader.name}`).toBe(leader.name);
        expect(match.findings, `${unit.code} ${leader.name}`).toEqual([]);
        expect(organisationIsUnit(subject['2.5.4.10']!, unit), unit.code).toBe(true);
      }
    }
  });
});

describe('signedSampleReport', () => {
  it("by default: signed by the unit's head, then the unit, valid with no finding at all (revocation checked)", async () => {
    const pdf = await signedSampleReport(ca, { unitCode: 'STP', periodId: '2021-Q1', at: AT });
    const check = await checkReport(pdf, STP_Q1, RECEIVED, { trust });
    expect(check.findings).toEqual([]);
    expect(check.status).toBe('valid');
    expect(check.report!.leader).toEqual({ name: 'Hoàng Văn Hải', office: 'Giám đốc' });
    expect(check.report!.signatures.map((s) => [s.role, s.signer, s.revocation])).toEqual([
      ['leader', 'Hoàng Văn Hải', 'good'],
      ['organisation', 'Sở Tư pháp', 'good'],
    ]);
    // the leader an hour before the organisation
    expect(check.report!.signatures.map((s) => s.signingTime)).toEqual([new Date(AT.getTime() - 3_600_000).toISOString(), AT.toISOString()]);
  });

  it("a people's committee's report is signed by its chairman and the committee, and the data form names the same signer", async () => {
    const submission = sampleSubmission('HUE', '2021-Q1', { asOf: AT });
    const pdf = await signedSampleReport(ca, { unitCode: 'HUE', periodId: '2021-Q1', at: AT, submission });
    const check = await checkReport(pdf, { ...STP_Q1, unitCode: 'HUE' }, RECEIVED, { trust });
    expect(check.findings).toEqual([]);
    expect(check.report!.leader!.name).toBe(submission.signature.signerName);
    expect(submission.signature).toMatchObject({ signingForm: 'TM.', signerTitle: 'Chủ tịch' });
  });

  it.each([
    ['signed by someone outside the leadership', { leader: { name: 'Trần Văn Chuyên', office: 'Chuyên viên' } }, ['PDF_SIGNER_NOT_LEADER']],
    ['saved again after signing', { resavedAfterSigning: true }, ['PDF_CHANGED_AFTER_SIGNING']],
    ['not signed at all', { leader: null, organisation: false }, ['PDF_NO_SIGNATURE']],
    ['signed by the leader only', { organisation: false }, ['PDF_NO_ORG_SIGNATURE']],
  ] as const)('%s: %j', async (_name, options, expected) => {
    const pdf = await signedSampleReport(ca, { unitCode: 'STP', periodId: '2021-Q1', at: AT, ...options });
    const check = await checkReport(pdf, STP_Q1, RECEIVED, { trust });
    expect(codes(check.findings)).toEqual(expected);
    expect(check.status).toBe(expected[0] === 'PDF_NO_ORG_SIGNATURE' ? 'valid' : 'invalid');
  });

  it('signed by a former head after the end of his term: refused, naming when he held office', async () => {
    const at = new Date('2021-09-10T09:00:00+07:00');
    const pdf = await signedSampleReport(ca, { unitCode: 'STP', periodId: '2021-Q3', at, leader: { name: 'Hoàng Văn Hải', office: 'Giám đốc' } });
    const check = await checkReport(pdf, { ...STP_Q1, periodId: '2021-Q3' }, new Date(at.getTime() + 60_000), { trust });
    expect(codes(check.findings)).toEqual(['PDF_SIGNER_NOT_LEADER']);
    expect(check.findings[0]!.message).toContain('đến 30/06/2021');
    const current = await signedSampleReport(ca, { unitCode: 'STP', periodId: '2021-Q3', at });
    expect((await checkReport(current, { ...STP_Q1, periodId: '2021-Q3' }, new Date(at.getTime() + 60_000), { trust })).report!.leader!.name).toBe(
      'Trần Thị Minh Châu',
    );
  });

  it('a byte changed inside the signed part breaks both signatures', async () => {
    const pdf = await signedSampleReport(ca, { unitCode: 'STP', periodId: '2021-Q1', at: AT });
    const altered = new Uint8Array(pdf);
    const at = Buffer.from(altered).indexOf('/MediaBox');
    altered[at + 1] = 'N'.charCodeAt(0);
    const check = await checkReport(altered, STP_Q1, RECEIVED, { trust });
    expect(codes(check.findings).filter((c) => c === 'PDF_SIGNATURE_BROKEN')).toHaveLength(2);
    expect(check.status).toBe('invalid');
  });

  it('is untrusted where the demo root is not installed', async () => {
    const pdf = await signedSampleReport(ca, { unitCode: 'STP', periodId: '2021-Q1', at: AT });
    const check = await checkReport(pdf, STP_Q1, RECEIVED, { trust: { anchors: [] } });
    expect(codes(check.findings)).toEqual(['PDF_CERT_UNTRUSTED', 'PDF_CERT_UNTRUSTED']);
  });
});
