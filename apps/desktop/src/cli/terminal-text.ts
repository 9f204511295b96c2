// Makes untrusted message text safe to print on a terminal. Control characters (C0, DEL and
// C1, which include ESC and CSI) could move the cursor, hide text or redraw the status lines
// that Sealpost prints, so they are shown as visible escapes instead.

// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Returns `value` for a one-line field (subject, address, file name): no line breaks at all. */
export function terminalLine(value: string | null | undefined): string {
  return (value ?? '').replace(ANY_CONTROL, escapeCharacter);
}

/** Returns a message body for printing: line breaks and tabs stay, other controls are escaped. */
export function terminalText(value: string): string {
  return value.replace(/\r\n/g, '\n').replace(CONTROL_EXCEPT_LINE_BREAKS, escapeCharacter);
}

/** Maximum characters of a subject or address in one line of `sealpost list`. */
export const MAX_LIST_FIELD_CHARACTERS = 200;

/** Shortens an escaped one-line field for a list row, marking the cut with "…". */
export function truncateForDisplay(value: string, max = MAX_LIST_FIELD_CHARACTERS): string {
  const characters = [...value];
  if (characters.length <= max) return value;
  return `${characters.slice(0, max - 1).join('')}…`;
}
