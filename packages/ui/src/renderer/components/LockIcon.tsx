// A padlock drawn as SVG, because emoji fonts are not installed everywhere.

export function LockIcon({ label }: { label?: string }) {
  return (
    <svg
      className="lock-icon"
      viewBox="0 0 16 16"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    >
      <path d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" />
    </svg>
  );
}
