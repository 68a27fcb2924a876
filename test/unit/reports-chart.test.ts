import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { demoRollup } from '../fixtures/demo-rollup.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { CHART_HEIGHT, CHART_WIDTH, fontsDir, renderCoverageChart } from '../../shared/documents/reports/index.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    out.push({ type: png.subarray(at + 4, at + 8).toString('latin1'), data: png.subarray(at + 8, at + 8 + len) });
    at += 12 + len;
  }
  return out;
}

describe('renderCoverageChart', () => {
  it('is a valid PNG of about 720×360 with an IHDR, image data and an end chunk', async () => {
    const { rollup } = demoRollup({ periodId: '2021-Q3' });
    const png = await renderCoverageChart(rollup);
    expect(png.subarray(0, 8)).toEqual(SIGNATURE);
    const list = chunks(png);
    expect(list[0]!.type).toBe('IHDR');
    expect(list[0]!.data.readUInt32BE(0)).toBe(CHART_WIDTH);
    expect(list[0]!.data.readUInt32BE(4)).toBe(CHART_HEIGHT);
    expect([CHART_WIDTH, CHART_HEIGHT]).toEqual([720, 360]);
    expect(list.at(-1)!.type).toBe('IEND');
    const idat = Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data));
    const raw = inflateSync(idat);
    const bpp = list[0]!.data[9] === 6 ? 4 : 3;
    expect(raw.length).toBe(CHART_HEIGHT * (1 + CHART_WIDTH * bpp));
  });

  it('draws something: bars in both series colours and dark text on white', async () => {
    const { rollup } = demoRollup({ periodId: '2021-Q3' });
    const png = await renderCoverageChart(rollup);
    const list = chunks(png);
    const ihdr = list[0]!.data;
    expect(ihdr[8]).toBe(8); // bit depth
    const bpp = ihdr[9] === 6 ? 4 : 3;
    const raw = inflateSync(Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    // Undo the PNG filters to count colours.
    const stride = CHART_WIDTH * bpp;
    const pixels = Buffer.alloc(CHART_HEIGHT * stride);
    for (let y = 0; y < CHART_HEIGHT; y++) {
      const f = raw[y * (stride + 1)]!;
      for (let x = 0; x < stride; x++) {
        const v = raw[y * (stride + 1) + 1 + x]!;
        const a = x >= bpp ? pixels[y * stride + x - bpp]! : 0;
        const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
        const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp]! : 0;
        const p = a + b - c;
        const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        pixels[y * stride + x] = (v + [0, a, b, (a + b) >> 1, pr][f]!) & 0xff;
      }
    }
    const count = (r: number, g: number, bl: number): number => {
      let n = 0;
      for (let i = 0; i < pixels.length; i += bpp) if (pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === bl) n++;
      return n;
    };
    expect(count(0x2f, 0x55, 0x97)).toBeGreaterThan(10_000); // completeness bars
    expect(count(0x3f, 0x8f, 0x4f)).toBeGreaterThan(10_000); // timeliness bars
    expect(count(0xff, 0xff, 0xff)).toBeGreaterThan((CHART_WIDTH * CHART_HEIGHT) / 2);
    let dark = 0;
    for (let i = 0; i < pixels.length; i += bpp) if (pixels[i]! < 60 && pixels[i + 1]! < 60 && pixels[i + 2]! < 60) dark++;
    expect(dark).toBeGreaterThan(500); // the title and labels
  });

  it('renders the same bytes for the same roll-up, and handles kinds nobody owes (thematic)', async () => {
    const { rollup } = demoRollup({ periodId: '2021-Q3' });
    expect((await renderCoverageChart(rollup)).equals(await renderCoverageChart(rollup))).toBe(true);
    const { rollup: thematic } = demoRollup({ periodId: '2021-THEMATIC' });
    const png = await renderCoverageChart(thematic);
    expect(png.subarray(0, 8)).toEqual(SIGNATURE);
  });

  it('finds the fonts in the folder REPORT_FONTS_DIR names (parsed by the composition root), else in the dejavu-fonts-ttf package', () => {
    expect(fontsDir()).toMatch(/dejavu-fonts-ttf[\\/]ttf$/);
    const config = loadConfig({ REPORT_FONTS_DIR: '/opt/fonts' }, ['reportFonts'], 'close-period');
    expect(fontsDir(config.reportFontsDir)).toBe('/opt/fonts');
  });
});
