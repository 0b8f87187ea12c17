// Applies the saved theme before the page paints (a classic script in <head>, so there is no flash).
// No saved choice: the system's prefers-color-scheme decides (CSS handles that case).
(function () {
  try {
    var saved = localStorage.getItem('aitrader-theme');
    if (saved === 'dark' || saved === 'light') document.documentElement.dataset.theme = saved;
  } catch (e) { /* storage off: follow the system */ }
})();
