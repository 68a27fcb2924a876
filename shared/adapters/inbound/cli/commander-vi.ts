import type { Command, HelpConfiguration, OutputConfiguration } from 'commander';

/**
 * Commander's own words in Vietnamese: the help's headings and usage line (through its documented
 * `configureHelp` hooks) and its parse errors (through `configureOutput`). Commander has no message
 * catalogue, so its error sentences are matched by their fixed English shapes; anything not matched
 * passes through unchanged.
 */

const TITLES: Record<string, string> = {
  'Usage:': 'Cách dùng:',
  'Options:': 'Tùy chọn:',
  'Arguments:': 'Tham số:',
  'Commands:': 'Lệnh:',
  'Global Options:': 'Tùy chọn chung:',
};

const ERRORS: [RegExp, (...m: string[]) => string][] = [
  [/^error: unknown command '([^']*)'/, (c) => `Lỗi: không có lệnh "${c}"`],
  [/^error: unknown option '([^']*)'/, (o) => `Lỗi: không có tùy chọn "${o}"`],
  [/^error: missing required argument '([^']*)'/, (a) => `Lỗi: thiếu tham số bắt buộc <${a}>`],
  [/^error: required option '([^']*)' not specified/, (o) => `Lỗi: thiếu tùy chọn bắt buộc ${o}`],
  [/^error: option '([^']*)' argument missing/, (o) => `Lỗi: tùy chọn ${o} cần một giá trị`],
  [/^error: option '([^']*)' argument '([^']*)' is invalid\./, (o, v) => `Lỗi: giá trị "${v}" của tùy chọn ${o} không hợp lệ.`],
  [
    /^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./,
    (_c, e, g) => `Lỗi: thừa tham số: lệnh nhận ${e} tham số nhưng nhận được ${g}.`,
  ],
  [/^error: (.+) cannot be used with (.+)$/m, (a, b) => `Lỗi: không dùng ${a} cùng với ${b}`],
  [/Allowed choices are ([^.]*)\./, (c) => `Chỉ nhận: ${c}.`],
  [/\(Did you mean one of ([^?]*)\?\)/, (s) => `(Có phải ý bạn là một trong: ${s}?)`],
  [/\(Did you mean ([^?]*)\?\)/, (s) => `(Có phải ý bạn là ${s}?)`],
];

/** Translates one message commander wrote (an error, possibly followed by a suggestion). */
export function translateCommanderMessage(text: string): string {
  let out = text;
  for (const [re, to] of ERRORS) out = out.replace(re, (...m: unknown[]) => to(...(m.slice(1, -2) as string[])));
  return out;
}

function translateExtras(description: string): string {
  return description
    .replace(/\bchoices: /g, 'chọn một trong: ')
    .replace(/\bdefault: /g, 'mặc định: ')
    .replace(/\benv: /g, 'biến môi trường: ')
    .replace(/\bpreset: /g, 'giá trị khi bỏ trống: ');
}

export const HELP_VI: HelpConfiguration = {
  styleTitle: (title: string) => TITLES[title] ?? title,
  styleUsage: (usage: string) => usage.replace(/\[options\]/g, '[tùy chọn]').replace(/\[command\]/g, '[lệnh]'),
  styleOptionDescription: (d: string) => translateExtras(d),
  styleSubcommandTerm: (t: string) => t.replace(/\[options\]/g, '[tùy chọn]').replace(/\[command\]/g, '[lệnh]'),
};

export const OUTPUT_VI: OutputConfiguration = {
  outputError: (str, write) => write(translateCommanderMessage(str)),
};

/** Applies the Vietnamese help and errors to a program (before its subcommands are added, which inherit them). */
export function vietnameseCommander(program: Command): Command {
  return program
    .configureHelp(HELP_VI)
    .configureOutput(OUTPUT_VI)
    .helpOption('-h, --help', 'hiện hướng dẫn')
    .helpCommand('help [lệnh]', 'hiện hướng dẫn của một lệnh');
}
