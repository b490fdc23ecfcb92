// Self check-in kiosk: a ticket scanned by the camera or a hand-held scanner is sent to
// the kiosk's check-in; a welcome sends the badge to the print dialog, anything else
// asks the attendee to see the desk. Back to "ready" after a few seconds.
(() => {
  "use strict";

  const RESET_MS = 8000;
  const root = document.querySelector("[data-kiosk]");
  if (!root) return;
  const d = root.dataset;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const answer = document.getElementById("kiosk-answer");
  const title = document.getElementById("kiosk-title");
  const message = document.getElementById("kiosk-message");
  const form = document.getElementById("kiosk-form");
  const input = document.getElementById("kiosk-code");
  const frame = document.getElementById("kiosk-print");
  const WELCOMED_MS = 60000;
  let resetTimer = null;
  let busy = false;
  // A ticket held up a while longer is read again: not a second check-in to refuse.
  let welcomed = { code: "", at: 0 };
  const plain = (code) => code.replace(/\s+/g, "").toUpperCase();

  function show(kind, heading, text, language) {
    answer.className = `kiosk-answer result ${kind}`;
    if (language) answer.lang = language; else answer.removeAttribute("lang");
    title.textContent = heading;
    message.textContent = text;
    const link = document.getElementById("kiosk-badge-link");
    if (link) link.parentElement.remove();
    window.clearTimeout(resetTimer);
    if (kind !== "result-idle") {
      resetTimer = window.setTimeout(() => show("result-idle", d.readyTitle, d.readyMessage), RESET_MS);
    }
  }

  function printBadge(url) {
    // The PDF loads in a hidden frame of this page, whose print dialog then opens.
    frame.onload = () => {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (_error) {
        // Some viewers print only from their own toolbar; the badge is open there.
      }
    };
    frame.src = `${url}?t=${Date.now()}`;
  }

  async function checkIn(code) {
    if (busy || !code.trim()) return;
    if (plain(code) === welcomed.code && Date.now() - welcomed.at < WELCOMED_MS) return;
    busy = true;
    try {
      const response = await fetch(d.scanUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ code }),
      });
      const body = response.ok ? await response.json() : null;
      if (body && body.result === "welcome") {
        welcomed = { code: plain(code), at: Date.now() };
        show("result-ok", body.title, body.message, body.language);
        printBadge(body.badge_url);
      } else if (body) {
        show("result-bad", body.title, body.message);
      } else {
        show("result-bad", d.readyTitle, d.errorMessage);
      }
    } catch (_error) {
      show("result-bad", d.readyTitle, d.errorMessage);
    } finally {
      busy = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value;
    input.value = "";
    checkIn(code);
  });
  // The hand-held scanner types wherever the focus is: keep it in the code field.
  document.addEventListener("keydown", () => { if (document.activeElement !== input) input.focus(); });

  if (window.QRCamera) {
    const camera = window.QRCamera.attach({
      texts: {
        start: d.cameraStart, stop: d.cameraStop, starting: "", scanning: d.cameraScanning,
        insecure: d.cameraUnavailable, noDecoder: d.cameraUnavailable,
        denied: () => d.cameraUnavailable,
      },
      onCode: checkIn,
      afterStart: () => input.focus(),
    });
    // A kiosk has its camera on from the start.
    if (camera) camera.start();
  }
})();
