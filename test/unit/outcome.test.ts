import { describe, expect, it } from 'vitest';
import { findPeriod } from '../../shared/domain/calendar.js';
import { describeOutcome, type OutcomeFacts } from '../../shared/domain/outcome.js';

/** Every case of timeliness × validity × the slot's pointers, with the sentence the unit reads. */
const q1 = findPeriod('2021-Q1'); // due 15/03/2021
const vn = (s: string): string => new Date(`${s}+07:00`).toISOString();
const BEFORE = vn('2021-03-14T09:00:00');
const AFTER = vn('2021-03-16T09:00:00');
const base: OutcomeFacts = {
  objectId: 'this',
  status: 'valid',
  warnings: 0,
  onTime: true,
  receivedAt: vn('2021-03-14T08:00:00'),
  period: q1,
  current: { objectId: 'this', receivedAt: vn('2021-03-14T08:00:00') },
  late: null,
  asOf: BEFORE,
};
const earlier = { objectId: 'earlier', receivedAt: vn('2021-03-10T10:00:00') };
const newer = { objectId: 'newer', receivedAt: vn('2021-03-15T10:00:00') };
const lateThis = { receivedAt: vn('2021-03-16T08:00:00'), onTime: false, asOf: AFTER };

type Case = [name: string, facts: Partial<OutcomeFacts>, code: string, use: string, says: string[], never: string[]];
const cases: Case[] = [
  [
    'on time, valid, current, before the deadline',
    {},
    'CURRENT_REPLACEABLE',
    'consolidation',
    ['Tệp hợp lệ và nộp đúng hạn.', 'Báo cáo này được dùng để tổng hợp.', 'nộp lại trước hạn (23:59:59 ngày 15/03/2021)'],
    ['nộp muộn'],
  ],
  [
    'on time, valid with warnings, current',
    { warnings: 2 },
    'CURRENT_REPLACEABLE',
    'consolidation',
    ['Tệp hợp lệ (có 2 cảnh báo cần xem lại) và nộp đúng hạn.'],
    [],
  ],
  [
    'on time, valid, current, seen after the deadline',
    { asOf: AFTER },
    'CURRENT_FINAL',
    'consolidation',
    ['Báo cáo này được dùng để tổng hợp', 'hạn nộp (23:59:59 ngày 15/03/2021) đã qua'],
    ['nộp lại trước hạn'],
  ],
  [
    'on time, valid, a newer on-time file is current',
    { current: newer },
    'SUPERSEDED_ON_TIME',
    'none',
    ['đã nộp một bản hợp lệ khác sau bản này (nhận lúc 10:00:00 ngày 15/03/2021)', 'bản này được lưu lại'],
    ['Báo cáo này được dùng'],
  ],
  [
    'on time thanks to an extension, valid, current',
    {
      receivedAt: vn('2021-03-17T08:00:00'),
      extendedUntil: '2021-03-20',
      current: { objectId: 'this', receivedAt: vn('2021-03-17T08:00:00') },
      asOf: vn('2021-03-17T08:00:00'),
    },
    'CURRENT_REPLACEABLE',
    'consolidation',
    ['gia hạn (đến hết ngày 20/03/2021), nên được tính là đúng hạn', 'nộp lại trước hạn (23:59:59 ngày 20/03/2021)'],
    [],
  ],
  [
    'late, valid, after an on-time valid report',
    { ...lateThis, current: earlier },
    'LATE_ON_TIME_KEPT',
    'none',
    [
      'nộp muộn (nhận sau hạn 23:59:59 ngày 15/03/2021)',
      'dùng bản hợp lệ đơn vị đã nộp đúng hạn (nhận lúc 10:00:00 ngày 10/03/2021)',
      'không được dùng để tổng hợp',
    ],
    ['Báo cáo này được dùng để tổng hợp', 'trước hạn'],
  ],
  [
    'late with warnings, after an on-time valid report',
    { ...lateThis, warnings: 1, current: earlier },
    'LATE_ON_TIME_KEPT',
    'none',
    ['Tệp hợp lệ (có 1 cảnh báo cần xem lại) nhưng nộp muộn'],
    ['trước hạn'],
  ],
  [
    'late, valid, late-only unit',
    { ...lateThis, current: null, late: { objectId: 'this', receivedAt: lateThis.receivedAt } },
    'LATE_IN_ADDENDUM',
    'addendum',
    ['không có trong báo cáo tổng hợp đúng hạn', 'báo cáo bổ sung', 'ghi nhận đơn vị nộp muộn'],
    ['Báo cáo này được dùng để tổng hợp', 'trước hạn'],
  ],
  [
    'late after an extension ran out, valid, late-only',
    {
      ...lateThis,
      receivedAt: vn('2021-03-21T08:00:00'),
      extendedUntil: '2021-03-20',
      current: null,
      late: { objectId: 'this', receivedAt: vn('2021-03-21T08:00:00') },
      asOf: vn('2021-03-21T08:00:00'),
    },
    'LATE_IN_ADDENDUM',
    'addendum',
    ['nhận sau hạn 23:59:59 ngày 20/03/2021', 'hạn đã gia hạn cho đơn vị (đến hết ngày 20/03/2021)', 'báo cáo bổ sung'],
    [],
  ],
  [
    'late, valid, a newer late file exists',
    { ...lateThis, current: null, late: { objectId: 'newer', receivedAt: vn('2021-03-18T08:00:00') } },
    'LATE_SUPERSEDED',
    'none',
    ['đã nộp một bản hợp lệ khác sau bản này (nhận lúc 08:00:00 ngày 18/03/2021)', 'báo cáo bổ sung'],
    ['trước hạn'],
  ],
  [
    'on time, invalid, before the deadline, nothing valid yet',
    { status: 'invalid', current: null },
    'INVALID_RESUBMIT',
    'none',
    ['Tệp chưa hợp lệ nên không được dùng để tổng hợp.', 'nộp lại trước hạn (23:59:59 ngày 15/03/2021) để được tính là đúng hạn'],
    ['vẫn được dùng'],
  ],
  [
    'on time, invalid, before the deadline, an earlier valid file is current',
    { status: 'invalid', current: earlier },
    'INVALID_RESUBMIT',
    'none',
    ['nộp lại trước hạn', 'Bản hợp lệ đơn vị đã nộp (nhận lúc 10:00:00 ngày 10/03/2021) vẫn được dùng để tổng hợp'],
    [],
  ],
  [
    'on time, invalid, seen after the deadline, nothing valid',
    { status: 'invalid', current: null, asOf: AFTER },
    'INVALID_RESUBMIT_LATE',
    'none',
    ['hạn nộp (23:59:59 ngày 15/03/2021) đã qua', 'ghi nhận nộp muộn và đưa vào báo cáo bổ sung'],
    ['trước hạn ('],
  ],
  [
    'late, invalid, after an on-time valid report',
    { ...lateThis, status: 'invalid', current: earlier },
    'INVALID_ON_TIME_KEPT',
    'none',
    ['vẫn được dùng để tổng hợp', 'không cần nộp lại'],
    ['trước hạn'],
  ],
  [
    'late, invalid, a late valid file exists',
    { ...lateThis, status: 'invalid', current: null, late: { objectId: 'x', receivedAt: vn('2021-03-16T07:00:00') } },
    'INVALID_LATE_KEPT',
    'none',
    ['Bản hợp lệ nộp muộn của đơn vị (nhận lúc 07:00:00 ngày 16/03/2021) vẫn được đưa vào báo cáo bổ sung'],
    ['trước hạn'],
  ],
  [
    'late, invalid, nothing valid',
    { ...lateThis, status: 'invalid', current: null },
    'INVALID_RESUBMIT_LATE',
    'none',
    ['chưa có báo cáo hợp lệ cho kỳ này', 'báo cáo bổ sung'],
    ['trước hạn ('],
  ],
  [
    'the Department accepted this file (the slot is locked)',
    { accepted: { objectId: 'this', at: vn('2021-03-17T09:30:00') }, asOf: AFTER },
    'ACCEPTED',
    'consolidation',
    ['Sở Nội vụ đã xem xét và chấp nhận báo cáo này lúc 09:30:00 ngày 17/03/2021', 'đã khóa', 'mở lại'],
    ['nộp lại trước hạn', 'thay thế bản này'],
  ],
  [
    'the Department accepted another file and locked the slot (this one arrived from a link asked before)',
    { ...lateThis, current: earlier, accepted: { objectId: 'earlier', at: vn('2021-03-16T07:00:00') } },
    'LOCKED_KEPT',
    'none',
    ['đã chấp nhận một bản khác của đơn vị lúc 07:00:00 ngày 16/03/2021', 'không thay thế bản đã chấp nhận'],
    ['báo cáo bổ sung', 'Báo cáo này được dùng'],
  ],
];

describe('describeOutcome: what will actually happen to the file', () => {
  it.each(cases)('%s', (_name, facts, code, use, says, never) => {
    const o = describeOutcome({ ...base, ...facts });
    expect(o.code).toBe(code);
    expect(o.use).toBe(use);
    for (const s of says) expect(o.text).toContain(s);
    for (const s of never) expect(o.text).not.toContain(s);
    expect(o.text.normalize('NFC')).toBe(o.text);
  });
  it('covers every outcome code', () => {
    const seen = new Set(cases.map((c) => describeOutcome({ ...base, ...c[1] }).code));
    expect(seen.size).toBe(12);
  });
});

describe('the receipt e-mail says the same sentence', () => {
  it('a valid late correction after an on-time valid report is not told it is consolidated nor to resubmit before the deadline', async () => {
    const { buildReceiptMail } = await import('../../shared/documents/mail/receipt.js');
    const { findUnit } = await import('../../shared/domain/units.js');
    const rec = {
      objectId: 'this',
      key: 'incoming/2021-Q1/STP/this/upload.xlsx',
      versionId: null,
      uploadId: 'this',
      unitCode: 'STP',
      periodId: '2021-Q1',
      kind: 'periodic' as const,
      fileName: 'stp.xlsx',
      size: 2048,
      sha256: 'a'.repeat(64),
      format: 'xlsx' as const,
      receivedAt: lateThis.receivedAt,
      onTime: false,
      status: 'valid' as const,
      findings: [],
      figures: {},
      receiptNo: 'BN-2021Q1-STP-THIS',
      recordedAt: lateThis.receivedAt,
      source: 'event' as const,
      issueDate: '2021-03-16',
    };
    const mail = buildReceiptMail(rec, findUnit('STP'), q1, 'http://localhost:3000/', null, {
      current: earlier,
      late: { objectId: 'this', receivedAt: rec.receivedAt },
      asOf: new Date(AFTER),
    });
    const expected = describeOutcome({ ...base, ...lateThis, current: earlier, late: { objectId: 'this', receivedAt: rec.receivedAt } }).text;
    expect(mail.text).toContain(expected);
    expect(mail.text).not.toContain('Báo cáo này được dùng để tổng hợp');
    expect(mail.text).not.toContain('trước hạn');
    expect(mail.text).toContain('Thời hạn: Nộp muộn (sau hạn)');
    expect(mail.text).toContain('Ngày ban hành văn bản: 16/03/2021');
  });
});
