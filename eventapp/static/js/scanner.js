// Check-in at the door: camera (BarcodeDetector, else jsQR), keyboard wedge, name
// search, undo, sounds and vibration; and live check-in counts, which the organiser
// dashboard uses too. Every string shown comes from the page (#scanner-config), which
// the server translated. The page works without this file (plain forms).
(() => {
  "use strict";

  const POLL_MS = 5000; // live counts
  const RESET_MS = 3000; // the result card goes back to "ready" on its own
  const RECENT = 6;

  function el(tag, className, text, attributes) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  // ---- live counts: [data-checkin-stats="<url>"] fills its [data-stat] elements ----

  function renderCategories(container, rows) {
    const table = container.tagName === "TBODY";
    container.replaceChildren(...rows.map((row) => {
      if (!table) return el("li", "", `${row.name}: ${row.checked_in} / ${row.expected}`);
      const tr = el("tr");
      tr.append(el("td", "", row.name), el("td", "num", String(row.checked_in)),
        el("td", "num", String(row.expected)));
      return tr;
    }));
  }

  function applyStats(root, data) {
    const targets = [root, ...root.querySelectorAll("[data-stat]")];
    for (const node of targets) {
      const key = node.dataset.stat;
      if (!key) continue;
      if (key === "by_category") renderCategories(node, data.by_category || []);
      else if (key === "percent") {
        node.textContent = data.expected ? `${Math.round((100 * data.checked_in) / data.expected)}%` : "–";
      } else if (key === "progress" && node.tagName === "PROGRESS") {
        node.max = Math.max(data.expected, 1);
        node.value = Math.min(data.checked_in, node.max);
      } else if (key in data) node.textContent = String(data[key]);
    }
  }

  function startStats(root) {
    const url = root.dataset.checkinStats;
    let busy = false;
    async function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
        });
        if (response.ok) applyStats(root, await response.json());
      } catch (_error) {
        // Offline for a moment: the next poll tries again.
      } finally {
        busy = false;
      }
    }
    // Polled, never a held-open connection: a sync worker must not be tied up.
    window.setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
    refresh();
    return refresh;
  }

  // ---- the scanner page ----

  function startScanner(root, refreshStats) {
    const configNode = document.getElementById("scanner-config");
    const config = JSON.parse(configNode ? configNode.textContent : "{}");
    const t = config.messages || {};
    const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
    const device = deviceLabel();
    const card = document.getElementById("scan-result");
    const wedgeForm = document.getElementById("wedge-form");
    const wedge = document.getElementById("wedge-code");
    const keyboardButton = document.getElementById("wedge-keyboard");
    const searchForm = document.getElementById("search-form");
    const searchInput = document.getElementById("search-q");
    const searchStatus = document.getElementById("search-status");
    const searchResults = document.getElementById("search-results");
    const recent = document.getElementById("recent");
    const recentList = document.getElementById("recent-list");
    const KIND = { checked_in: "ok", already_checked_in: "warn", undone: "info" };
    let regionNames = null;
    try {
      regionNames = new Intl.DisplayNames([config.language || document.documentElement.lang], { type: "region" });
    } catch (_error) {
      regionNames = null;
    }

    function format(template, values) {
      return String(template || "").replace(/%\((\w+)\)s/g, (_m, key) => values[key] ?? "");
    }
    // API times carry the event's own offset, so their clock time is the event's local time.
    // The zone is named as the server names it (timefmt.py), where it is not the office's.
    const zoneName = root.dataset.zoneName || "";
    const withZone = (time) => (time && zoneName ? `${time} ${zoneName}` : time);
    const clock = (iso) => withZone(iso ? iso.slice(11, 16) : "");
    const countryName = (code) => {
      try {
        return (regionNames && regionNames.of(code)) || code;
      } catch (_error) {
        return code;
      }
    };

    // -- sound and vibration --
    let audio = null;
    function unlockAudio() {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!audio && Context) audio = new Context();
      if (audio && audio.state === "suspended") audio.resume().catch(() => {});
    }
    document.addEventListener("pointerdown", unlockAudio, { passive: true });
    document.addEventListener("keydown", unlockAudio);
    const TONES = {
      ok: { type: "sine", notes: [[1046, 0, 0.09], [1568, 0.1, 0.14]] },
      warn: { type: "triangle", notes: [[660, 0, 0.12], [660, 0.2, 0.12]] },
      bad: { type: "square", notes: [[196, 0, 0.5]] },
      info: { type: "sine", notes: [[523, 0, 0.12]] },
    };
    const VIBRATION = { ok: 80, warn: [70, 90, 70], bad: [300, 120, 300], info: 40 };
    function signal(kind) {
      try {
        if (navigator.vibrate) navigator.vibrate(VIBRATION[kind]);
      } catch (_error) { /* not allowed yet */ }
      if (!audio || audio.state !== "running") return;
      const tone = TONES[kind];
      const start = audio.currentTime + 0.01;
      for (const [frequency, offset, length] of tone.notes) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = tone.type;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + length);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start + offset);
        oscillator.stop(start + offset + length + 0.05);
      }
    }

    // -- the result card --
    let resetTimer = null;
    function showReady() {
      card.className = "result result-idle";
      card.replaceChildren(el("p", "result-title", t.ready), el("p", "result-detail", t.ready_hint));
    }

    function titleFor(body, status) {
      if (t.titles && t.titles[body.result]) return t.titles[body.result];
      if (status === 401) return t.session_expired;
      if (status === 429) return t.rate_limited;
      return t.error;
    }

    function detailFor(body, byId) {
      switch (body.result) {
        case "already_checked_in":
          return format(body.checked_in_by ? t.already_at_by : t.already_at,
            { time: clock(body.checked_in_at), staff: body.checked_in_by });
        case "not_admitted":
          return (t.reasons && t.reasons[body.reason]) || body.reason || "";
        case "unknown_code":
          return byId ? t.no_such_registration : t.unknown_hint;
        case "wrong_event":
          return t.wrong_event_hint;
        case "checked_in":
        case "undone":
          return "";
        default:
          return body.message || "";
      }
    }

    function personLines(reg) {
      const lines = [el("p", "result-name", reg.name)];
      if (reg.name_kana) lines.push(el("p", "result-kana", reg.name_kana, { lang: "ja" }));
      if (reg.organisation) lines.push(el("p", "result-org", reg.organisation));
      const meta = [(config.categories && config.categories[reg.category]) || reg.category];
      if (reg.country) meta.push(countryName(reg.country));
      lines.push(el("p", "result-meta", meta.join(" · ")));
      return lines;
    }

    function undoButton(reg, className) {
      const button = el("button", className, t.undo, { type: "button" });
      button.addEventListener("click", () => undo(reg.id));
      return button;
    }

    function canUndo(body) {
      const reg = body.registration;
      return reg && reg.checked_in_at
        && (body.result === "checked_in" || body.result === "already_checked_in");
    }

    function showResult(body, status, byId = false, scannedAt = null) {
      const kind = KIND[body.result] || "bad";
      const parts = [el("p", "result-title", titleFor(body, status))];
      if (body.registration) parts.push(...personLines(body.registration));
      const detail = detailFor(body, byId);
      if (detail) parts.push(el("p", "result-detail", detail));
      if (canUndo(body)) {
        const actions = el("div", "result-actions");
        actions.append(undoButton(body.registration, "button small"));
        const badge = el("a", "button small", t.print_badge, {
          href: root.dataset.badgeUrl.replace("/0/badge.pdf", `/${body.registration.id}/badge.pdf`),
          target: "_blank", rel: "noopener", "data-print-badge": "",
        });
        actions.append(badge);
        parts.push(actions);
      }
      card.className = `result result-${kind}`;
      card.replaceChildren(...parts);
      card.dataset.result = body.result || "error";
      signal(kind);
      window.clearTimeout(resetTimer);
      resetTimer = window.setTimeout(showReady, RESET_MS);
      remember(body, kind, scannedAt);
      refreshStats();
    }

    // -- recent scans (undo stays at hand after the card resets): the page lists the
    // latest from the scan log; each new answer is put on top, one line per person --
    const recentItems = new Map();
    for (const item of recentList ? recentList.querySelectorAll("[data-registration]") : []) {
      recentItems.set(Number(item.dataset.registration), item);
    }
    function remember(body, kind, scannedAt) {
      const reg = body.registration;
      if (!reg || !recentList) return;
      const item = el("li", `recent-item recent-${kind}`);
      item.dataset.registration = String(reg.id);
      const who = el("span", "recent-who");
      who.append(el("strong", "", reg.name), document.createTextNode(` · ${titleFor(body)}`));
      item.append(el("span", "recent-time", eventClock(scannedAt)), who);
      if (canUndo(body)) item.append(undoButton(reg, "button small"));
      recentItems.get(reg.id)?.remove();
      recentItems.set(reg.id, item);
      recentList.prepend(item);
      while (recentList.children.length > RECENT) recentList.lastElementChild.remove();
      recent.hidden = false;
    }
    // The server's clock (its answer's Date header) on the event's clock, as the page
    // shows every other time: never the device's clock or zone.
    const utcOffset = Number(root.dataset.utcOffset || 0);
    function eventClock(serverDate) {
      const when = serverDate && !Number.isNaN(Date.parse(serverDate)) ? new Date(serverDate) : null;
      if (!when) return "";
      const local = new Date(when.getTime() + utcOffset * 60000);
      const pad = (n) => String(n).padStart(2, "0");
      return withZone(`${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`);
    }

    // -- talking to API v1 with the signed-in session (+ CSRF header) --
    async function call(method, url, payload) {
      const headers = { Accept: "application/json", "X-CSRFToken": csrf, "X-Scanner-Device": device };
      if (payload) headers["Content-Type"] = "application/json";
      const response = await fetch(url, {
        method, headers, credentials: "same-origin",
        body: payload ? JSON.stringify(payload) : undefined,
      });
      let body = null;
      try {
        body = await response.json();
      } catch (_error) {
        body = null;
      }
      return { status: response.status, body: body || { result: null }, date: response.headers.get("Date") };
    }

    function showFailure(message) {
      showResult({ result: null, message }, 0);
    }

    async function checkIn(payload) {
      try {
        const { status, body, date } = await call("POST", root.dataset.checkinUrl, payload);
        showResult(body, status, "registration_id" in payload, date);
        if ("registration_id" in payload) runSearch();
      } catch (_error) {
        showFailure(t.network_error);
      } finally {
        focusWedge();
      }
    }

    async function undo(registrationId) {
      try {
        const { status, body, date } = await call("DELETE", root.dataset.undoUrl + registrationId);
        if (status === 200) showResult(body, status, false, date);
        else showFailure(body.message || t.error);
        runSearch();
      } catch (_error) {
        showFailure(t.network_error);
      } finally {
        focusWedge();
      }
    }

    // -- the keyboard wedge: always focused unless someone types elsewhere --
    function typingElsewhere() {
      const active = document.activeElement;
      if (!active || active === wedge || active === document.body) return false;
      return active.matches("input, select, textarea, [contenteditable]")
        || Boolean(active.closest("#walk-in[open]"));
    }
    function focusWedge() {
      if (!typingElsewhere()) wedge.focus({ preventScroll: true });
    }
    wedgeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = wedge.value.trim();
      wedge.value = "";
      if (code) checkIn({ code });
      focusWedge();
    });
    wedge.addEventListener("blur", () => window.setTimeout(focusWedge, 200));
    // A scanner that "types" while focus sits on a button still reaches the field.
    document.addEventListener("keydown", (event) => {
      if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey
          && !typingElsewhere() && document.activeElement !== wedge) wedge.focus();
    });
    if (navigator.maxTouchPoints > 0 && window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
      // Phones: no on-screen keyboard over the camera until asked for.
      wedge.setAttribute("inputmode", "none");
      keyboardButton.hidden = false;
      keyboardButton.addEventListener("click", () => {
        wedge.removeAttribute("inputmode");
        wedge.blur();
        wedge.focus();
      });
    }
    focusWedge();

    // -- name search (door shape of GET .../registrations?q=) --
    let searchSeq = 0;
    let searchTimer = null;
    async function runSearch() {
      const q = searchInput.value.trim();
      const seq = ++searchSeq;
      if (!q) {
        searchResults.replaceChildren();
        searchStatus.textContent = "";
        return;
      }
      searchStatus.textContent = t.searching;
      try {
        const response = await fetch(`${root.dataset.searchUrl}?q=${encodeURIComponent(q)}&limit=25`, {
          headers: { Accept: "application/json" }, credentials: "same-origin",
        });
        if (seq !== searchSeq) return;
        if (!response.ok) {
          searchStatus.textContent = response.status === 401 ? t.session_expired : t.error;
          return;
        }
        const items = await response.json();
        if (seq !== searchSeq) return;
        searchStatus.textContent = items.length ? "" : t.no_results;
        searchResults.replaceChildren(...items.map(searchItem));
      } catch (_error) {
        if (seq === searchSeq) searchStatus.textContent = t.network_error;
      }
    }
    function searchItem(reg) {
      const item = el("li", "search-item");
      const who = el("div", "search-who");
      who.append(el("strong", "", reg.name));
      if (reg.name_kana) who.append(" ", el("span", "muted", reg.name_kana, { lang: "ja" }));
      if (reg.organisation) who.append(el("span", "search-org", reg.organisation));
      const meta = el("span", "search-meta",
        `${(config.categories && config.categories[reg.category]) || reg.category} · `);
      meta.append(el("span", `badge badge-${reg.status}`, (t.statuses && t.statuses[reg.status]) || reg.status));
      if (reg.checked_in_at) meta.append(` · ${format(t.checked_in_at, { time: clock(reg.checked_in_at) })}`);
      who.append(meta);
      const actions = el("div", "search-actions");
      if (reg.checked_in_at) {
        actions.append(undoButton(reg, "button small danger"));
      } else if (reg.status === "confirmed") {
        const button = el("button", "button small primary", t.check_in, { type: "button" });
        button.addEventListener("click", () => checkIn({ registration_id: reg.id }));
        actions.append(button);
      }
      item.append(who, actions);
      return item;
    }
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      runSearch();
    });
    searchInput.addEventListener("input", () => {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(runSearch, 250);
    });
    if (searchInput.value.trim()) runSearch();

    startCamera();

    // -- the camera (qrcamera.js) --
    function startCamera() {
      if (!window.QRCamera) return;
      window.QRCamera.attach({
        texts: {
          start: t.camera_start, stop: t.camera_stop, starting: t.camera_starting,
          scanning: t.camera_scanning, insecure: t.camera_insecure,
          noDecoder: t.camera_no_decoder, denied: (error) => format(t.camera_denied, { error }),
        },
        onCode: (text) => checkIn({ code: text }),
        onStart: unlockAudio,
        afterStart: focusWedge,
      });
    }
  }

  function deviceLabel() {
    let id = "";
    try {
      id = window.localStorage.getItem("scanner-device") || "";
      if (!id) {
        id = `web-${Math.random().toString(36).slice(2, 8)}`;
        window.localStorage.setItem("scanner-device", id);
      }
    } catch (_error) {
      id = "web";
    }
    // Header values must be Latin-1; user agents are ASCII.
    return `${id} ${navigator.userAgent}`.replace(/[^\x20-\x7e]/g, "").slice(0, 120);
  }

  let refresh = () => {};
  for (const root of document.querySelectorAll("[data-checkin-stats]")) {
    const poll = startStats(root);
    const previous = refresh;
    refresh = () => { previous(); poll(); };
  }
  const scanner = document.getElementById("scanner");
  if (scanner) startScanner(scanner, () => refresh());
})();
