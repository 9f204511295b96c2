// Light and dark themes: the choice is kept in localStorage and defaults to the system's.

export type Theme = 'light' | 'dark';

const KEY = 'sealpost.theme';

export function loadTheme(): Theme {
  const saved = window.localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  window.localStorage.setItem(KEY, theme);
}
