import type ExcelJS from 'exceljs';
import { TASK_LABELS } from '../../domain/layout.js';
import { deputyTitle } from '../../domain/signing.js';
import type { Unit } from '../../domain/types.js';
import { COLOR, fitHeight, font } from './template-look.js';
import { dueLine, titleOf, unitLine, windowLine, type SheetInfo } from './template-sheet.js';

/** The guide sheet of the template: the slot, the deadline and the steps to fill and send the report. */

/** Who may sign for the unit, as the guide says it. */
function signersText(unit: Unit): string {
  const head = unit.headTitle;
  const deputy = deputyTitle(head);
  return unit.kind === 'district'
    ? `${head} ký trực tiếp hoặc ký "TM. Ủy ban nhân dân"; ${deputy} ký "KT. ${head}"`
    : `${head} ký trực tiếp; ${deputy} ký "KT. ${head}"`;
}

/** The steps specific to a plan's task sheet. */
function planSteps(info: SheetInfo): string[] {
  return [
    `Trang "Nhiệm vụ": mỗi dòng một nhiệm vụ, bắt đầu từ dòng STT 1; tối đa ${info.form.maxTasks ?? 200} nhiệm vụ. ` +
      `Cột "${TASK_LABELS.area}" chọn trong danh sách 6 lĩnh vực cải cách; các dòng không dùng để trống.`,
    `Cột "${TASK_LABELS.deadline}" nhập ngày theo dạng ngày/tháng/năm (ví dụ 30/06/${info.period.year}).`,
  ];
}

/** The steps specific to a report's data sheet (a thematic report: the province's figures of the unit's topic). */
function dataSteps(info: SheetInfo): string[] {
  const scope = info.form.kind === 'thematic' ? 'số liệu toàn tỉnh của chủ đề được giao theo dõi, ' : '';
  return [
    `Trang "Số liệu": nhập ${scope}giá trị của từng chỉ tiêu vào cột D. Chỉ tiêu đếm (văn bản, hồ sơ, người…) là số nguyên từ 0 trở lên: ` +
      'không ghi kèm chữ, không dùng dấu chấm hay dấu phẩy phân cách hàng nghìn.',
    'Ô để trống nghĩa là "chưa báo cáo", khác với số 0. Nếu trong kỳ không phát sinh, nhập 0. Chỉ tiêu có dấu (*) bắt buộc phải nhập.',
    'Chỉ tiêu tỷ lệ (%) có thể để trống: hệ thống tự tính từ các chỉ tiêu thành phần. ' +
      'Nếu nhập, giá trị từ 0 đến 100 và phải khớp với cách tính ghi ở cột E.',
  ];
}

/** The steps every form shares: narratives, signing, what not to change, how to save and send, what comes back. */
function commonSteps(info: SheetInfo): string[] {
  return [
    'Trang "Thuyết minh": viết nội dung của từng mục vào ô nền vàng ở cột B.',
    'Trang "Ký ban hành": nhập số, ký hiệu văn bản, ngày ban hành (ngày/tháng/năm), hình thức ký, chức vụ và họ tên người ký. ' +
      `Báo cáo phải do lãnh đạo đơn vị ký: ${signersText(info.unit)}. Không chấp nhận "TL." (thừa lệnh) và "TUQ." (thừa ủy quyền).`,
    'Không chèn, xóa hay di chuyển dòng, cột; không đổi tên, thêm hay xóa trang tính. Hệ thống đọc số liệu theo đúng vị trí các ô của mẫu.',
    'Lưu tệp dưới dạng Sổ làm việc Excel (.xlsx), không có macro (không dùng .xlsm, .xls) và không đặt mật khẩu mở tệp. ' +
      'Tải tệp lên qua đường dẫn cá nhân của đơn vị đã được gửi qua thư điện tử.',
    'Hệ thống gửi thư điện tử xác nhận đã nhận báo cáo, hoặc danh sách lỗi theo từng trang và ô (ví dụ: trang "Số liệu", ô D12) ' +
      'để đơn vị sửa và tải lên lại trước hạn.',
  ];
}

/** The numbered steps of the guide, in order. */
function guideSteps(info: SheetInfo): string[] {
  const first = 'Chỉ nhập vào các ô nền vàng. Các ô khác đã được khóa để giữ nguyên cấu trúc mẫu.';
  return [first, ...(info.form.kind === 'plan' ? planSteps(info) : dataSteps(info)), ...commonSteps(info)];
}

/** Writes the guide sheet: title, the slot and its deadline, the numbered steps, a closing note. */
export function writeGuide(wb: ExcelJS.Workbook, name: string, info: SheetInfo): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { properties: { tabColor: { argb: 'FF2F5597' } } });
  ws.columns = [{ width: 5 }, { width: 100 }];
  const { form, period } = info;
  let row = 1;
  const put = (text: string, f: Partial<ExcelJS.Font> = {}, min = 20): void => {
    ws.mergeCells(`A${row}:B${row}`);
    const c = ws.getCell(`A${row}`);
    c.value = text;
    c.font = font(f);
    c.alignment = { wrapText: true, vertical: 'middle', horizontal: row === 1 ? 'center' : 'left' };
    ws.getRow(row).height = fitHeight([{ text, width: 105, size: f.size }], min);
    row += 1;
  };
  put(`${titleOf(form, period)}\n${period.name}`, { bold: true, size: 14, color: { argb: COLOR.title } }, 48);
  put('HƯỚNG DẪN ĐIỀN MẪU VÀ NỘP BÁO CÁO', { bold: true, size: 13 }, 24);
  row += 1;
  put(unitLine(info), { bold: true });
  put(`Kỳ báo cáo: ${period.name} (mã kỳ: ${period.id}).`);
  put(windowLine(period));
  put(`${dueLine(period)} Tệp nhận sau thời điểm này được ghi nhận là nộp muộn.`, { bold: true });
  row += 1;
  put('Các bước thực hiện', { bold: true, size: 13 }, 24);
  guideSteps(info).forEach((step, i) => {
    writeStep(ws, row++, i + 1, step);
  });
  row += 1;
  put('Ô nền vàng là ô nhập liệu. Mọi thắc mắc, liên hệ Phòng Cải cách hành chính, Sở Nội vụ.', { italic: true, color: { argb: COLOR.note } });
  return ws;
}

/** One numbered step of the guide: its number in A, its text in B. */
function writeStep(ws: ExcelJS.Worksheet, row: number, no: number, step: string): void {
  const n = ws.getCell(`A${row}`);
  n.value = no;
  n.font = font({ bold: true });
  n.alignment = { horizontal: 'center', vertical: 'top' };
  const t = ws.getCell(`B${row}`);
  t.value = step;
  t.font = font();
  t.alignment = { wrapText: true, vertical: 'top' };
  ws.getRow(row).height = fitHeight([{ text: step, width: 100 }], 20);
}
