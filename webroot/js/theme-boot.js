// Classic script in <head>: sets the theme before the first paint, so a dark-mode user never sees a white flash.
(function () {
  var choice = 'system';
  try { choice = localStorage.getItem('ocomms.theme') || 'system'; } catch (e) { /* private mode */ }
  var dark = choice === 'dark' || (choice === 'system' && window.matchMedia &&
      window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.documentElement.dataset.themeChoice = choice;
})();
