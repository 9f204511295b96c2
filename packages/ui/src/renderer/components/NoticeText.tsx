// A notice or error from core shown in plain words: a technical reason in the first pair of
// brackets (e.g. a Secret Service error) moves behind a "Details" disclosure, so the sentence
// reads on its own while the cause stays one click away for a bug report.

/** Splits `notice` into its sentence without the first bracketed part, and that part. */
export function splitNoticeDetail(notice: string): { text: string; detail: string | null } {
  const open = notice.indexOf(' (');
  if (open < 0) return { text: notice, detail: null };
  let depth = 0;
  for (let index = open + 1; index < notice.length; index += 1) {
    if (notice[index] === '(') depth += 1;
    if (notice[index] === ')') depth -= 1;
    if (depth === 0) {
      return {
        text: notice.slice(0, open) + notice.slice(index + 1),
        detail: notice.slice(open + 2, index),
      };
    }
  }
  return { text: notice, detail: null };
}

/**
 * Shows `notice` with its bracketed cause behind "Details". An `error` is styled as one and
 * announced as an alert; a plain notice is not announced.
 */
export function NoticeText({
  notice,
  tone = 'notice',
}: {
  notice: string;
  tone?: 'notice' | 'error';
}) {
  const { text, detail } = splitNoticeDetail(notice);
  return (
    <div className={tone} role={tone === 'error' ? 'alert' : undefined}>
      <p>{text}</p>
      {detail && (
        <details>
          <summary>Details</summary>
          <p className="detail">{detail}</p>
        </details>
      )}
    </div>
  );
}
