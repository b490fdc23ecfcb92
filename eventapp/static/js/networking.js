// Print buttons appear only where they work (app.js prints on click).
for (const button of document.querySelectorAll("[data-print]")) button.hidden = false;
