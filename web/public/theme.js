// Applies the remembered (or system) theme before first paint: no flash of the wrong theme.
// A file rather than an inline script, so the Content-Security-Policy needs no 'unsafe-inline'.
(() => {
  try {
    const saved = localStorage.getItem('dao-portal-theme');
    const dark = saved ? saved === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.classList.toggle('dark', dark);
  } catch {}
})();
