import { formatInstantVi, ZONE } from '../domain/calendar.js';
import { zonedDateOf } from '../domain/zone.js';
import { defaultRoster, type LeaderTerm, matchLeader, organisationIsUnit } from '../domain/roster.js';
import type { Finding, IsoDate, Slot, Unit } from '../domain/types.js';
import { defaultUnits, findUnit } from '../domain/units.js';
import type { PdfSignatureCheck, PdfVerification, TrustConfig } from '../documents/pdf/index.js';
import type { UploadCheck } from './check-upload.js';
import type { SignatureSummary, SignedReportSummary } from './records.js';

/**
 * Checks a unit's signed report (the dossier's PDF): every digital signature verified against the
 * configured trust anchors (documents/pdf), then who signed it: a leader of the unit in office on the
 * signing date (the roster), the organisation's signature for the unit itself, and nothing signed
 * after the server received the file. Bad input ends in findings, never a throw.
 */

export interface ReportCheckContext {
  trust: TrustConfig;
  units?: readonly Unit[];
  roster?: readonly LeaderTerm[];
}

function finding(code: string, severity: 'error' | 'warning', message: string): Finding {
  return { code, severity, sheet: null, cell: null, indicator: null, message };
}

/** The Vietnam date of an instant (the roster's terms are dates in Vietnam time). */
function vietnamDate(iso: string): IsoDate {
  return zonedDateOf(iso, ZONE) as IsoDate;
}

function identityOf(s: PdfSignatureCheck) {
  return { name: s.signer?.commonName ?? null, title: s.signer?.title ?? null, organization: s.signer?.organization ?? null };
}

/** The first signature whose signer is a leader of the unit on its signing date, with the match. */
function findLeader(signatures: PdfSignatureCheck[], unit: Unit, receivedAt: Date, roster: readonly LeaderTerm[], units: readonly Unit[]) {
  for (const s of signatures) {
    const m = matchLeader(identityOf(s), unit, vietnamDate(s.signingTime ?? receivedAt.toISOString()), roster, units);
    if (m.leader) return { signature: s, match: m };
  }
  return null;
}

/** A signature made for the organisation itself (its certificate names the unit, not a person of the roster). */
function isOrganisationSignature(s: PdfSignatureCheck, unit: Unit, units: readonly Unit[]): boolean {
  return organisationIsUnit(s.signer?.commonName ?? null, unit, units);
}

function summaryOf(
  signatures: PdfSignatureCheck[],
  leader: PdfSignatureCheck | null,
  leaderOffice: string | null,
  unit: Unit,
  units: readonly Unit[],
): SignatureSummary[] {
  return signatures.map((s) => ({
    role: s === leader ? 'leader' : isOrganisationSignature(s, unit, units) ? 'organisation' : 'other',
    signer: s.signer?.commonName ?? null,
    title: s.signer?.title ?? (s === leader ? leaderOffice : null),
    organization: s.signer?.organization ?? null,
    issuer: s.signer?.issuerCommonName ?? null,
    signingTime: s.signingTime,
    chain: s.chain,
    revocation: s.revocation,
  }));
}

/** Who signed, judged: the leader, the organisation, the signing times. */
function identityFindings(
  v: PdfVerification,
  unit: Unit,
  receivedAt: Date,
  ctx: Required<Omit<ReportCheckContext, 'trust'>>,
): { findings: Finding[]; summary: SignedReportSummary } {
  const signatures = v.signatures;
  if (signatures.length === 0) return { findings: [], summary: { signatures: [], leader: null } };
  const findings: Finding[] = [];
  const leader = findLeader(signatures, unit, receivedAt, ctx.roster, ctx.units);
  if (leader) {
    findings.push(...leader.match.findings);
    const org = leader.signature.signer?.organization ?? null;
    if (org && !organisationIsUnit(org, unit, ctx.units)) {
      findings.push(
        finding(
          'PDF_ORG_MISMATCH',
          'error',
          `Chứng thư số của người ký cấp cho tổ chức "${org}", không phải ${unit.name}. Báo cáo phải do lãnh đạo của chính đơn vị ký.`,
        ),
      );
    }
  } else {
    const first = signatures[0]!;
    findings.push(...matchLeader(identityOf(first), unit, vietnamDate(first.signingTime ?? receivedAt.toISOString()), ctx.roster, ctx.units).findings);
  }
  const others = signatures.filter((s) => s !== leader?.signature);
  if (others.length > 0 && !others.some((s) => isOrganisationSignature(s, unit, ctx.units))) {
    const names = others.map((s) => `"${s.signer?.commonName ?? '(không rõ)'}"`).join(', ');
    findings.push(
      finding('PDF_ORG_MISMATCH', 'error', `Chữ ký số ${names} không phải của ${unit.name}. Chữ ký số của cơ quan khi phát hành phải là của chính đơn vị.`),
    );
  } else if (others.length === 0) {
    findings.push(
      finding(
        'PDF_NO_ORG_SIGNATURE',
        'warning',
        'Báo cáo có chữ ký số của lãnh đạo nhưng chưa có chữ ký số của cơ quan (văn thư ký khi phát hành). Đề nghị phát hành văn bản theo quy định rồi nộp lại nếu cần.',
      ),
    );
  }
  for (const s of signatures) {
    if (s.signingTime && Date.parse(s.signingTime) > receivedAt.getTime()) {
      findings.push(
        finding(
          'PDF_SIGNED_AFTER_RECEIPT',
          'error',
          `Thời điểm ký ghi trong chữ ký số (${formatInstantVi(s.signingTime)}) muộn hơn lúc hệ thống nhận tệp (${formatInstantVi(receivedAt.toISOString())}). Đề nghị kiểm tra đồng hồ máy ký số và ký lại.`,
        ),
      );
    }
  }
  const leaderOffice = leader?.match.leader?.office ?? null;
  return {
    findings,
    summary: {
      signatures: summaryOf(signatures, leader?.signature ?? null, leaderOffice, unit, ctx.units),
      leader: leader?.match.leader ? { name: leader.match.leader.name, office: leader.match.leader.office } : null,
    },
  };
}

/** Verifies and judges a signed report for a slot. */
export async function checkReport(bytes: Uint8Array, slot: Slot, receivedAt: Date, ctx: ReportCheckContext): Promise<UploadCheck> {
  // Loaded on the first PDF: the CMS and X.509 libraries are not on the form's path.
  const { verifyPdfSignatures } = await import('../documents/pdf/index.js');
  const units = ctx.units ?? defaultUnits;
  const unit = findUnit(slot.unitCode, units);
  const verification = await verifyPdfSignatures(bytes, ctx.trust);
  const identity = identityFindings(verification, unit, receivedAt, { units, roster: ctx.roster ?? defaultRoster });
  const findings = [...verification.findings, ...identity.findings];
  return {
    status: findings.some((f) => f.severity === 'error') ? 'invalid' : 'valid',
    findings,
    format: 'pdf',
    submission: null,
    report: identity.summary,
  };
}
