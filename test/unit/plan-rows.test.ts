import { describe, expect, it } from 'vitest';
import { checkUpload } from '../../shared/application/check-upload.js';
import { sampleFill, sampleSubmission } from '../../shared/domain/sample-submission.js';
import { editWorkbook, KEY, slotOf, templateOf } from '../fixtures/xlsx-fixtures.js';

/** A plan workbook as an official edits it: a row inserted between tasks, a blank row left. */
describe('plan findings name the row each task is on, through the upload path', () => {
  const PLAN = slotOf('STP', '2021-PLAN');
  const t = PLAN.layout.tasks!;
  const slot = { unitCode: 'STP', periodId: '2021-PLAN', kind: 'plan' as const };

  it('after a blank row is inserted at row 9 and a result is cleared on row 12, the finding is D12', async () => {
    const bytes = await editWorkbook(await templateOf(PLAN, sampleFill(sampleSubmission('STP', '2021-PLAN'))), (wb) => {
      const ws = wb.getWorksheet(t.sheet)!;
      // what inserting a row at 9 does to the tasks: rows 9–13 move down to 10–14, row 9 is blank
      const cols = Object.values(t.columns);
      for (let row = t.firstRow + 5; row >= t.firstRow + 1; row--) {
        for (const c of cols) ws.getCell(`${c}${row + 1}`).value = ws.getCell(`${c}${row}`).value;
      }
      for (const c of cols) ws.getCell(`${c}${t.firstRow + 1}`).value = null;
      ws.getCell(`${t.columns.expectedResult}12`).value = null;
    });
    const r = await checkUpload(bytes, slot, new Date('2021-01-05T02:00:00Z'), { templateKey: KEY });
    expect(r.submission!.tasks.map((x) => x.row)).toEqual([8, 10, 11, 12, 13, 14]);
    expect(r.findings.map((f) => [f.code, f.sheet, f.cell])).toEqual([['TASK_RESULT_MISSING', t.sheet, 'D12']]);
    expect(r.findings[0]!.message).toContain('Ô D12');
  });
});
