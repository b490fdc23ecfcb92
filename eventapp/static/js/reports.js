// Attendance report: refreshes the counters every 10 seconds by polling a small JSON
// endpoint (no long-held connection), and wires the print button. The page works
// without it: the figures are those of the moment it loaded.
(() => {
  const printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    // app.js prints on any [data-print] click; this only reveals the button.
  }

  const box = document.querySelector("[data-live-url]");
  if (!box) return;
  const url = box.dataset.liveUrl;
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const REFRESH_MS = 10000;

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(url, {
        credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const figures = await response.json();
      box.querySelectorAll("[data-live]").forEach((element) => {
        const key = element.dataset.live;
        const value = figures[`${key}_text`] ?? figures[key];
        if (value === undefined || value === null) return;
        element.textContent = typeof value === "number" ? numbers.format(value) : value;
      });
      box.classList.remove("stale");
    } catch (error) {
      box.classList.add("stale");
    }
  }

  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
})();
