// Byte counts for display in binary units (KiB = 1024 bytes, IEC 80000-13), used for every file
// size the renderer shows, such as attachments in the composer and the reader.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Rounds to one decimal below 10 and to a whole number from 10 on. */
function roundForDisplay(value: number): number {
  return value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
}

/** Formats a byte count as "512 bytes", "1.5 KiB" or "30 MiB". */
export function formatByteSize(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  // Moves up a unit also when rounding would show 1024 of the smaller one.
  while (roundForDisplay(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${roundForDisplay(value)} ${UNITS[unit]}`;
}
