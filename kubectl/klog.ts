// The few lines kubectl prints through klog rather than as errors (proxy warnings), in klog's
// header format: severity, MMDD hh:mm:ss.uuuuuu, the process id padded to 7, source file:line.

export type Severity = 'I' | 'W' | 'E' | 'F';

export function klogLine(severity: Severity, source: string, message: string, now = new Date(), pid = process.pid): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const micros = String(now.getMilliseconds() * 1000).padStart(6, '0');
  const stamp = `${p2(now.getMonth() + 1)}${p2(now.getDate())} ${p2(now.getHours())}:${p2(now.getMinutes())}:${p2(now.getSeconds())}.${micros}`;
  return `${severity}${stamp} ${String(pid).padStart(7)} ${source}] ${message}\n`;
}
