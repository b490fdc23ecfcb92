// The QR camera of the door scanner and the self check-in kiosk: BarcodeDetector where
// the browser has one, else jsQR (Chromium on Linux has none); frames decoded a few
// times a second, the same code not re-sent for a while.
(() => {
  "use strict";

  const DEDUPE_MS = 4000; // the same code seen again by the camera is not re-sent
  const SCAN_EVERY_MS = 150; // camera frames decoded
  const MAX_FRAME_SIDE = 800; // decode a smaller copy of large camera frames

  // The markup of templates/checkin/_camera.html; null when the page has none.
  function elements() {
    const section = document.getElementById("camera");
    return section && {
      section, toggle: document.getElementById("camera-toggle"),
      view: document.getElementById("camera-view"),
      video: document.getElementById("camera-video"),
      status: document.getElementById("camera-status"),
    };
  }

  // texts: start, stop, starting, scanning, insecure, noDecoder, denied(error).
  // onCode(text) for each new code; onStart() before the camera opens, afterStart() once
  // it is open or refused. Returns { start, stop }, or null without a usable camera.
  function attach({ texts, onCode, onStart = () => {}, afterStart = () => {} }) {
    const found = elements();
    if (!found) return null;
    const { section, toggle, view, video, status } = found;
    section.hidden = false;
    const hasJsQR = typeof window.jsQR === "function";
    const hasDetector = "BarcodeDetector" in window;
    const say = (text) => { status.textContent = text || ""; };
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      toggle.disabled = true;
      say(texts.insecure);
      return null;
    }
    if (!hasJsQR && !hasDetector) {
      toggle.disabled = true;
      say(texts.noDecoder);
      return null;
    }
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let stream = null;
    let timer = null;
    let detector = null;
    let decoding = false;
    let lastCode = "";
    let lastSentAt = 0;

    async function nativeDetector() {
      if (!hasDetector) return null;
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      } catch (_error) {
        return null;
      }
    }

    function decodeWithJsQR() {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : null;
    }

    async function decodeFrame() {
      if (decoding || !stream || video.readyState < 2 || document.hidden) return;
      decoding = true;
      try {
        let text = null;
        if (detector) {
          const codes = await detector.detect(video);
          text = codes.length ? codes[0].rawValue : null;
        } else if (hasJsQR) {
          text = decodeWithJsQR();
        }
        if (text) seen(text);
      } catch (_error) {
        // A frame that cannot be read is skipped.
      } finally {
        decoding = false;
      }
    }

    function seen(text) {
      const code = text.replace(/\s+/g, "").toUpperCase();
      const now = Date.now();
      if (!code || (code === lastCode && now - lastSentAt < DEDUPE_MS)) return;
      lastCode = code;
      lastSentAt = now;
      onCode(text);
    }

    async function start() {
      onStart();
      toggle.disabled = true;
      say(texts.starting);
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        });
        video.srcObject = stream;
        await video.play();
        detector = await nativeDetector();
        view.hidden = false;
        toggle.textContent = texts.stop;
        say(texts.scanning);
        timer = window.setInterval(decodeFrame, SCAN_EVERY_MS);
      } catch (error) {
        stop();
        say(texts.denied((error && (error.name || error.message)) || "?"));
      } finally {
        toggle.disabled = false;
        afterStart();
      }
    }

    function stop() {
      window.clearInterval(timer);
      timer = null;
      if (stream) for (const track of stream.getTracks()) track.stop();
      stream = null;
      video.srcObject = null;
      view.hidden = true;
      toggle.textContent = texts.start;
      say("");
    }

    toggle.addEventListener("click", () => (stream ? stop() : start()));
    window.addEventListener("pagehide", stop);
    return { start, stop };
  }

  window.QRCamera = { attach };
})();
