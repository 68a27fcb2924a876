import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as PImage from 'pureimage';
import type { KindKey, Rollup } from '../../domain/rollup.js';
import { KIND_SHORT, coverageKinds } from './format.js';
import { fontsDir } from '../fonts.js';

/**
 * The coverage chart of the consolidated e-mail: completeness and timeliness (%) by unit kind and
 * for the province, as a PNG drawn with pureimage (pure JavaScript, no native canvas) in DejaVu
 * Sans, which has every Vietnamese glyph.
 */

export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 360;

const REGULAR = 'CchcReportSans';
const BOLD = 'CchcReportSansBold';

export { fontsDir };

let fontsLoaded: Promise<void> | null = null;

/** Registers and loads the two fonts once per process. */
function loadFonts(from?: string): Promise<void> {
  if (!fontsLoaded) {
    const dir = fontsDir(from);
    const regular = PImage.registerFont(join(dir, 'DejaVuSans.ttf'), REGULAR);
    const bold = PImage.registerFont(join(dir, 'DejaVuSans-Bold.ttf'), BOLD);
    fontsLoaded = Promise.resolve().then(() => {
      regular.loadSync();
      bold.loadSync();
    });
    fontsLoaded.catch(() => {
      fontsLoaded = null;
    });
  }
  return fontsLoaded;
}

const COLORS = {
  background: '#ffffff',
  text: '#1a1a1a',
  muted: '#5f6368',
  grid: '#e3e6ea',
  axis: '#9aa0a6',
  completeness: '#2f5597',
  timeliness: '#3f8f4f',
  allBand: '#f3f6fa',
};

const PCT = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

type Ctx = ReturnType<PImage.Bitmap['getContext']>;

function text(ctx: Ctx, s: string, x: number, y: number, opts: { size: number; bold?: boolean; color?: string; align?: 'left' | 'center' | 'right' }): void {
  ctx.font = `${opts.size}px ${opts.bold ? BOLD : REGULAR}`;
  ctx.fillStyle = opts.color ?? COLORS.text;
  const str = s.normalize('NFC');
  const w = ctx.measureText(str).width;
  const left = opts.align === 'center' ? x - w / 2 : opts.align === 'right' ? x - w : x;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(str, Math.round(left), Math.round(y));
}

function width(ctx: Ctx, s: string, size: number, bold = false): number {
  ctx.font = `${size}px ${bold ? BOLD : REGULAR}`;
  return ctx.measureText(s.normalize('NFC')).width;
}

function hline(ctx: Ctx, x1: number, x2: number, y: number, color: string): void {
  ctx.fillStyle = color;
  ctx.fillRect(x1, y, x2 - x1, 1);
}

/** Renders the chart; the same roll-up gives the same bytes. `fonts`: the fonts' folder (see fontsDir). */
export async function renderCoverageChart(rollup: Rollup, fonts?: string): Promise<Buffer> {
  await loadFonts(fonts);
  const W = CHART_WIDTH;
  const H = CHART_HEIGHT;
  const img = PImage.make(W, H);
  const ctx = img.getContext('2d');
  ctx.fillStyle = COLORS.background;
  ctx.fillRect(0, 0, W, H);

  // Title and subtitle.
  text(ctx, 'Tỷ lệ nộp báo cáo đầy đủ và đúng hạn theo loại đơn vị', 20, 30, { size: 16, bold: true });
  text(ctx, `${rollup.periodName}${rollup.includesLate ? ' — bản bổ sung (gồm báo cáo nộp muộn)' : ''}`, 20, 51, { size: 12, color: COLORS.muted });

  // Legend, right-aligned under the subtitle.
  const legend: [string, string][] = [
    ['Đầy đủ (hợp lệ)', COLORS.completeness],
    ['Đúng hạn', COLORS.timeliness],
  ];
  let lx = W - 20;
  for (const [label, color] of [...legend].reverse()) {
    const w = width(ctx, label, 12);
    lx -= w;
    text(ctx, label, lx, 72, { size: 12 });
    lx -= 18;
    ctx.fillStyle = color;
    ctx.fillRect(lx, 62, 12, 12);
    lx -= 18;
  }

  // Plot area.
  const left = 64;
  const right = W - 20;
  const top = 100;
  const bottom = H - 58;
  const plotH = bottom - top;
  const y = (p: number): number => bottom - (p / 100) * plotH;

  const groups = coverageKinds(rollup);
  const groupW = (right - left) / groups.length;
  const allIndex = groups.indexOf('all');
  if (allIndex >= 0) {
    ctx.fillStyle = COLORS.allBand;
    ctx.fillRect(left + allIndex * groupW + 4, top - 18, groupW - 8, bottom - top + 18);
  }

  for (const p of [0, 25, 50, 75, 100]) {
    const yy = Math.round(y(p));
    hline(ctx, left, right, yy, p === 0 ? COLORS.axis : COLORS.grid);
    text(ctx, `${p}%`, left - 8, yy + 4, { size: 11, color: COLORS.muted, align: 'right' });
  }

  const barW = 50;
  const gap = 10;
  groups.forEach((k: KindKey, gi) => {
    const c = rollup.coverage[k];
    const cx = left + groupW * gi + groupW / 2;
    const bars: [number, string][] = [
      [c.completeness * 100, COLORS.completeness],
      [c.timeliness * 100, COLORS.timeliness],
    ];
    bars.forEach(([value, color], bi) => {
      const x = Math.round(cx - barW - gap / 2 + bi * (barW + gap));
      const v = Math.max(0, Math.min(100, value));
      const yTop = Math.round(y(v));
      ctx.fillStyle = color;
      if (bottom - yTop > 0) ctx.fillRect(x, yTop, barW, bottom - yTop);
      const label = c.expected === 0 ? '—' : `${PCT.format(Math.round(v * 10) / 10)}%`;
      text(ctx, label, x + barW / 2, yTop - 6, { size: 12, bold: true, color, align: 'center' });
    });
    const isAll = k === 'all';
    text(ctx, KIND_SHORT[k], cx, bottom + 22, { size: 13, bold: isAll, align: 'center' });
    text(ctx, `${c.valid}/${c.expected} hợp lệ · ${c.onTime} đúng hạn`, cx, bottom + 40, { size: 11, color: COLORS.muted, align: 'center' });
  });

  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (b: Buffer) => chunks.push(b));
  await PImage.encodePNGToStream(img, out);
  return Buffer.concat(chunks);
}
