// Light, dark or the system's choice; remembered, and applied before the first paint by theme-boot.js.

const KEY = 'ocomms.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

export function themeChoice() {
  return localStorage.getItem(KEY) || 'system';
}

export function applyTheme(choice = themeChoice()) {
  const dark = choice === 'dark' || (choice === 'system' && media.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.documentElement.dataset.themeChoice = choice;
}

export function setTheme(choice) {
  localStorage.setItem(KEY, choice);
  applyTheme(choice);
}

media.addEventListener('change', () => applyTheme());
