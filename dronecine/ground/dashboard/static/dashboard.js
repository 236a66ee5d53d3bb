// dronecine ground-station dashboard (docs/dashboard.md): plain ES2020, no framework, no build step.
// The page reads GET api/set once, then renders frames: live ones from api/state and the WebSocket
// `ws`, or replay ones built from GET api/replay at the scrubber's time, through the same code.
"use strict";

(() => {
  // ---------------------------------------------------------------------------------------------
  // Constants
  const TOKEN_KEY = "dronecine.dashboard.token";
  const TRAIL_S = 30; // a drone's trail on the map: its last 30 s
  const TRAIL_MAX_POINTS = 600;
  const FRUSTUM_MIN_M = 8;
  const FRUSTUM_MAX_M = 60;
  const THUMB_PERIOD_MS = 1000; // live thumbnails: about one a second
  const THUMB_RETRY_MS = 5000; // after a failed thumbnail, not more often than this
  const REPLAY_THUMB_MIN_MS = 300; // replay thumbnails while scrubbing: throttled
  const REPLAY_POLL_MS = 2000; // after a live shoot finished: poll api/set until its replay is ready
  const RECONNECT_MAX_S = 10;
  const RECENT = 30; // events and commands shown
  const FRAMING_GOOD = 0.08;
  const FRAMING_FAIR = 0.15;
  const LOST_GREY = "#7d8590";

  const ABORT_PHRASES = { hold: "hold", return: "return home and land", land: "land where it is" };

  // ---------------------------------------------------------------------------------------------
  // What tests (and curious people) can read: kept current.
  const state = { set: null, frame: null, mode: null };
  window.dashboard = state;

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const isNum = (x) => typeof x === "number" && Number.isFinite(x);
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

  const els = {};
  const cards = new Map(); // drone id -> {root, fields..., thumb}
  const trails = new Map(); // drone id -> [{t, n, e}] (live mode)
  let setDrones = new Map(); // drone id -> its entry in set.drones
  let replay = null; // the api/replay data
  let replayT = 0;
  let replayIndex = -1;
  let playing = false;
  let playRaf = 0;
  let playLast = null;
  let ws = null;
  let wsAttempts = 0;
  let wsTimer = 0;
  let waitingForReplay = false;
  let enteringReplay = false;
  let pendingCommand = null;
  let lastEventsKey = "";
  let lastCommandsKey = "";
  let seenRevisions = new Map();
  let setRefetchAt = 0;

  // ---------------------------------------------------------------------------------------------
  // Formatting

  // Python's f"{x:.{d}f}" (the back-end and its tests format that way): toFixed, except that an
  // exact tie (12.25 to one decimal) rounds half to even rather than away from zero.
  function fixed(x, digits) {
    if (!isNum(x)) return "—";
    const text = x.toFixed(digits);
    const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
    const dot = exact.indexOf(".");
    const tail = exact.slice(dot + 1 + digits);
    if (/^50*$/.test(tail)) {
      const kept = exact.slice(0, digits > 0 ? dot + 1 + digits : dot);
      const lastDigit = Number(kept[kept.length - 1]);
      if (lastDigit % 2 === 0) return (x < 0 ? "-" : "") + kept;
    }
    return text;
  }

  function clockText(t) {
    return isNum(t) ? `t = ${fixed(t, 1)} s` : "t = —";
  }

  function shotText(shot) {
    if (!shot) return "—";
    if (typeof shot === "string") return shot;
    const scene = shot.scene ?? "?";
    const move = shot.move ?? "?";
    return shot.subject ? `${scene}: ${move} → ${shot.subject}` : `${scene}: ${move}`;
  }

  function detailText(data) {
    if (!data) return "";
    const detail = data.detail ?? data.message;
    if (detail == null) return "";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map((d) => (d && d.msg) || JSON.stringify(d)).join("; ");
    return JSON.stringify(detail);
  }

  function hexToRgba(colour, alpha) {
    const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(colour || "").trim());
    if (!m) return colour || `rgba(128,128,128,${alpha})`;
    let hex = m[1];
    if (hex.length === 3) hex = hex.split("").map((c) => c + c).join("");
    const v = parseInt(hex, 16);
    return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${alpha})`;
  }

  function textColourOn(colour) {
    const m = /^#?([0-9a-f]{6})$/i.exec(String(colour || ""));
    if (!m) return "#fff";
    const v = parseInt(m[1], 16);
    const [r, g, b] = [(v >> 16) & 255, (v >> 8) & 255, v & 255];
    return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#0b0f14" : "#ffffff";
  }

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function droneColour(id) {
    return setDrones.get(id)?.colour || "#9aa4b2";
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  class HttpError extends Error {
    constructor(status, detail) {
      super(detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`);
      this.status = status;
      this.detail = detail;
    }
  }

  async function getJSON(url) {
    const response = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!response.ok) {
      let data = null;
      try {
        data = await response.json();
      } catch (_) {
        /* not JSON */
      }
      throw new HttpError(response.status, detailText(data));
    }
    return response.json();
  }

  // ---------------------------------------------------------------------------------------------
  // The token: from the URL fragment (#token=...), kept for the tab in sessionStorage.

  function readToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (_) {
      return "";
    }
  }

  function storeToken(token) {
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (_) {
      /* storage refused: the token is only asked again */
    }
  }

  function forgetToken() {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch (_) {
      /* nothing kept */
    }
  }

  function takeTokenFromFragment() {
    const hash = location.hash.replace(/^#/, "");
    if (!hash) return;
    const parts = hash.split("&");
    const rest = [];
    let token = null;
    for (const part of parts) {
      if (part.startsWith("token=")) {
        try {
          token = decodeURIComponent(part.slice(6));
        } catch (_) {
          token = part.slice(6);
        }
      } else if (part) {
        rest.push(part);
      }
    }
    if (token === null) return;
    if (token) storeToken(token);
    const url = location.pathname + location.search + (rest.length ? `#${rest.join("&")}` : "");
    try {
      history.replaceState(history.state, "", url);
    } catch (_) {
      /* an odd origin: the fragment stays */
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Header

  function showMessage(text, kind = "info") {
    const el = els.message;
    el.textContent = text;
    el.title = text;
    el.className = `message message-${kind}`;
  }

  function setConnection(text, kind) {
    setText(els.connection, text);
    els.connection.className = `connection connection-${kind}`;
  }

  function renderHeader(frame) {
    setText(els.clock, clockText(frame.t_s));
    const phase = state.mode === "replay" ? "replay" : String(frame.phase ?? "");
    setText(els.phase, phase);
    els.phase.className = `phase phase-${phase}`;
    els.aborted.hidden = !frame.aborted;
    const speed = frame.speed;
    if (state.mode === "live" && isNum(speed) && speed !== 1) {
      setText(els.speed, `×${speed}`);
      els.speed.hidden = false;
    } else {
      els.speed.hidden = true;
    }
  }

  function updateControls() {
    const frame = state.frame;
    const phase = frame ? frame.phase : null;
    const live = state.mode === "live";
    const finished = phase === "finished";
    const running = phase === "running";
    const none = !live || !frame || finished;
    els.start.disabled = none || running;
    els.start.textContent = phase === "paused" ? "Resume" : "Start";
    els.pause.disabled = none || !running;
    els.abortAll.disabled = none;
    for (const button of $$("#drones button[data-action]")) button.disabled = none;
  }

  // ---------------------------------------------------------------------------------------------
  // The set

  function applySet(set) {
    state.set = set;
    setDrones = new Map((set.drones || []).map((d) => [d.drone, d]));
    setText(els.mission, set.mission || "—");
    document.title = `${set.mission || "dronecine"} · dronecine ground station`;
    buildCards(set);
    buildTimeline(set);
    computeMapView();
    drawMap();
  }

  // ---------------------------------------------------------------------------------------------
  // Drone cards

  function buildCards(set) {
    for (const card of cards.values()) {
      stopThumb(card.thumb);
      card.thumb.dead = true;
    }
    cards.clear();
    els.drones.textContent = "";
    for (const drone of set.drones || []) ensureCard(drone.drone);
    updateControls();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function ensureCard(id) {
    if (cards.has(id)) return cards.get(id);
    const colour = droneColour(id);
    const root = el("div", "drone-card");
    root.dataset.drone = id;
    root.style.setProperty("--drone", colour);

    const stripe = el("div", "stripe");
    root.appendChild(stripe);

    const head = el("div", "card-head");
    const name = el("span", "name", id);
    const status = el("span", "status pill", "");
    const mode = el("span", "mode pill", "");
    const armed = el("span", "armed pill", "");
    const actions = el("span", "card-actions live-only");
    for (const [action, label] of [["hold", "Hold"], ["resume", "Resume"], ["return", "Return"]]) {
      const button = el("button", `btn btn-small btn-${action}`, label);
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", () => askCommand(action, id));
      actions.appendChild(button);
    }
    head.append(name, status, mode, armed);

    const body = el("div", "card-body");
    const thumbBox = el("div", "thumb-box");
    const img = el("img", "thumb");
    img.alt = `camera of ${id}`;
    img.decoding = "async";
    img.hidden = true;
    const placeholder = el("div", "thumb-placeholder", "camera…");
    thumbBox.append(img, placeholder);

    const fields = el("div", "fields");
    const battery = el("span", "battery");
    const batteryText = el("span", "battery-text", "—");
    const batteryBar = el("span", "battery-bar");
    const batteryFill = el("span", "battery-fill");
    batteryBar.appendChild(batteryFill);
    battery.append(batteryText, batteryBar);
    const link = el("span", "link", "—");
    const shot = el("span", "shot", "—");
    const framing = el("span", "framing", "—");
    const position = el("span", "position", "—");
    for (const [label, value] of [
      ["Battery", battery],
      ["Link", link],
      ["Shot", shot],
      ["Framing", framing],
      ["Position", position],
    ]) {
      fields.append(el("span", "field-label", label), value);
    }
    body.append(thumbBox, fields);

    const foot = el("div", "card-foot");
    const note = el("div", "note", "");
    foot.append(note, actions);
    root.append(head, body, foot);
    els.drones.appendChild(root);

    const card = {
      root, name, status, mode, armed, battery, batteryText, batteryFill, link, shot, framing, position, note,
      thumb: makeThumb(id, img, placeholder),
    };
    cards.set(id, card);
    if (state.mode === "live") startLiveThumb(card.thumb);
    return card;
  }

  function renderCards(frame) {
    const drones = frame.drones || {};
    for (const id of Object.keys(drones)) ensureCard(id);
    for (const [id, card] of cards) {
      const d = drones[id] || {};
      const status = String(d.status ?? "waiting");
      setText(card.status, status);
      card.status.className = `status pill status-${status}`;
      card.root.classList.toggle("is-lost", status === "lost");
      card.root.classList.toggle("is-out", status === "out"); // heard, but sent home or down
      card.root.classList.toggle("is-waiting", status === "waiting");

      const mode = d.mode == null ? "" : String(d.mode);
      setText(card.mode, mode);
      card.mode.className = `mode pill mode-${mode || "none"}`;

      setText(card.armed, d.armed ? "armed" : "disarmed");
      card.armed.className = `armed pill ${d.armed ? "is-armed" : "is-disarmed"}`;

      const battery = d.battery_percent;
      if (isNum(battery)) {
        setText(card.batteryText, `${fixed(battery, 0)}%`);
        card.batteryFill.style.width = `${clamp(battery, 0, 100)}%`;
        card.battery.dataset.level = battery < 20 ? "low" : battery < 40 ? "mid" : "ok";
      } else {
        setText(card.batteryText, "—");
        card.batteryFill.style.width = "0%";
        card.battery.dataset.level = "none";
      }

      let linkText;
      let linkClass;
      if (state.mode === "replay") {
        linkText = "—";
        linkClass = "none";
      } else {
        const age = d.link_age_s;
        const ageText = isNum(age) ? ` ${fixed(age, 1)} s` : "";
        if (!d.connected || !isNum(age)) linkClass = "down";
        else if (age < 1) linkClass = "good";
        else if (age < 3) linkClass = "weak";
        else linkClass = "down";
        linkText = `${linkClass}${ageText}`;
      }
      setText(card.link, linkText);
      card.link.className = `link link-${linkClass}`;

      setText(card.shot, shotText(d.shot));

      const framing = d.framing_error;
      if (isNum(framing)) {
        setText(card.framing, fixed(framing, 3));
        card.framing.className = `framing framing-${framing < FRAMING_GOOD ? "good" : framing < FRAMING_FAIR ? "fair" : "bad"}`;
      } else {
        setText(card.framing, "—");
        card.framing.className = "framing framing-none";
      }

      if (isNum(d.north_m) && isNum(d.east_m) && isNum(d.down_m)) {
        setText(card.position, `N ${fixed(d.north_m, 1)}  E ${fixed(d.east_m, 1)}  H ${fixed(-d.down_m, 1)}`);
      } else {
        setText(card.position, "—");
      }

      const note = d.note == null ? "" : String(d.note);
      setText(card.note, note);
      card.note.title = note;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Camera thumbnails. Live: api/drones/ID/thumbnail.jpg?n=COUNTER about once a second, the next
  // only once the previous loaded or failed; after a failure a placeholder, and a retry 5 s later.
  // Replay: ?t_s=T when the scrubber moves, throttled, the latest time wins.

  function makeThumb(id, img, placeholder) {
    const thumb = {
      id, img, placeholder,
      counter: 0, loading: false, timer: 0, started: 0, retryAt: 0,
      wantT: null, requestedT: null, generation: 0,
    };
    img.addEventListener("load", () => thumbDone(thumb, true));
    img.addEventListener("error", () => thumbDone(thumb, false));
    return thumb;
  }

  function thumbUrl(id, query) {
    return `api/drones/${encodeURIComponent(id)}/thumbnail.jpg?${query}`;
  }

  function loadThumb(thumb, url) {
    thumb.loading = true;
    thumb.started = performance.now();
    thumb.img.src = url;
  }

  function thumbDone(thumb, ok) {
    if (!thumb.loading || thumb.dead) return;
    thumb.loading = false;
    const now = performance.now();
    if (ok) {
      thumb.img.hidden = false;
      thumb.placeholder.hidden = true;
      thumb.retryAt = 0;
    } else {
      thumb.img.hidden = true;
      thumb.placeholder.textContent = "no camera feed";
      thumb.placeholder.hidden = false;
      thumb.retryAt = now + THUMB_RETRY_MS;
    }
    if (state.mode === "live") {
      const delay = ok ? Math.max(0, THUMB_PERIOD_MS - (now - thumb.started)) : THUMB_RETRY_MS;
      scheduleLiveThumb(thumb, delay);
    } else if (state.mode === "replay") {
      pumpReplayThumb(thumb);
    }
  }

  function scheduleLiveThumb(thumb, delay) {
    clearTimeout(thumb.timer);
    const generation = thumb.generation;
    thumb.timer = setTimeout(() => {
      thumb.timer = 0;
      if (state.mode !== "live" || thumb.loading || generation !== thumb.generation) return;
      thumb.counter += 1;
      loadThumb(thumb, thumbUrl(thumb.id, `n=${thumb.counter}`));
    }, delay);
  }

  function startLiveThumb(thumb) {
    thumb.generation += 1;
    if (!thumb.loading) scheduleLiveThumb(thumb, 0);
  }

  function stopThumb(thumb) {
    thumb.generation += 1;
    clearTimeout(thumb.timer);
    thumb.timer = 0;
  }

  function requestReplayThumbs(t) {
    for (const card of cards.values()) {
      card.thumb.wantT = t;
      pumpReplayThumb(card.thumb);
    }
  }

  function pumpReplayThumb(thumb) {
    if (state.mode !== "replay" || thumb.loading || thumb.timer) return;
    if (thumb.wantT == null || thumb.wantT === thumb.requestedT) return;
    const wait = Math.max(thumb.started + REPLAY_THUMB_MIN_MS, thumb.retryAt) - performance.now();
    if (wait > 0) {
      thumb.timer = setTimeout(() => {
        thumb.timer = 0;
        pumpReplayThumb(thumb);
      }, wait);
      return;
    }
    thumb.requestedT = thumb.wantT;
    loadThumb(thumb, thumbUrl(thumb.id, `t_s=${encodeURIComponent(String(thumb.wantT))}`));
  }

  // ---------------------------------------------------------------------------------------------
  // The map (canvas): north up, east right, equal aspect, fit to the geofence.

  const view = { w: 0, h: 0, dpr: 1, scale: 1, n0: 0, e0: 0, bounds: null, framing: "action", fitted: false };

  function computeMapView() {
    const set = state.set;
    const points = [];
    if (set && Array.isArray(set.geofence_ne_m) && set.geofence_ne_m.length >= 3) {
      points.push(...set.geofence_ne_m);
    } else if (set) {
      for (const d of set.drones || []) if (d.home_ne_m) points.push(d.home_ne_m);
      for (const s of set.subjects || []) points.push(...(s.path_ne_m || []));
    }
    const good = points.filter((p) => p && isNum(p[0]) && isNum(p[1]));
    if (!good.length) {
      view.bounds = { nMin: -50, nMax: 50, eMin: -50, eMax: 50 };
      return;
    }
    let nMin = Infinity, nMax = -Infinity, eMin = Infinity, eMax = -Infinity;
    for (const [n, e] of good) {
      nMin = Math.min(nMin, n); nMax = Math.max(nMax, n);
      eMin = Math.min(eMin, e); eMax = Math.max(eMax, e);
    }
    if (nMax - nMin < 10) { nMin -= 5; nMax += 5; }
    if (eMax - eMin < 10) { eMin -= 5; eMax += 5; }
    view.bounds = { nMin, nMax, eMin, eMax };
  }

  function resizeMap() {
    const canvas = els.map;
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    if (w !== view.w || h !== view.h || dpr !== view.dpr) {
      view.w = w; view.h = h; view.dpr = dpr;
      canvas.width = Math.max(1, Math.round(w * dpr));
      canvas.height = Math.max(1, Math.round(h * dpr));
    }
    drawMap();
  }

  // What the map frames: "action" (the drones and the subjects, followed as they move; the
  // default, since the set is often much larger than where the filming happens), "set" (the whole
  // geofence) or "free" (the user zoomed with the wheel or dragged).
  const ACTION_MARGIN_M = 20;
  const ACTION_MIN_SPAN_M = 70;

  function actionBounds() {
    const points = [];
    const frame = state.frame;
    if (frame) {
      for (const d of Object.values(frame.drones || {})) {
        if (isNum(d.north_m) && isNum(d.east_m)) points.push([d.north_m, d.east_m]);
      }
      for (const p of Object.values(frame.subjects || {})) {
        if (p && isNum(p[0]) && isNum(p[1])) points.push(p);
      }
    }
    if (!points.length) return view.bounds;
    let nMin = Infinity, nMax = -Infinity, eMin = Infinity, eMax = -Infinity;
    for (const [n, e] of points) {
      nMin = Math.min(nMin, n); nMax = Math.max(nMax, n);
      eMin = Math.min(eMin, e); eMax = Math.max(eMax, e);
    }
    const grow = (lo, hi) => {
      const mid = (lo + hi) / 2;
      const half = Math.max((hi - lo) / 2 + ACTION_MARGIN_M, ACTION_MIN_SPAN_M / 2);
      return [mid - half, mid + half];
    };
    [nMin, nMax] = grow(nMin, nMax);
    [eMin, eMax] = grow(eMin, eMax);
    return { nMin, nMax, eMin, eMax };
  }

  function fitView() {
    view.cy = view.h / 2 - 8; // leave room for the scale bar below
    if (view.framing === "free" && view.scale > 0) return;
    const b = (view.framing === "action" ? actionBounds() : view.bounds) || { nMin: -50, nMax: 50, eMin: -50, eMax: 50 };
    const margin = Math.max(28, Math.min(view.w, view.h) * 0.05);
    const spanE = b.eMax - b.eMin;
    const spanN = b.nMax - b.nMin;
    const scale = Math.max(1e-3, Math.min((view.w - 2 * margin) / spanE, (view.h - 2 * margin - 16) / spanN));
    const e0 = (b.eMin + b.eMax) / 2;
    const n0 = (b.nMin + b.nMax) / 2;
    // Following the action, the view glides rather than jumps with every frame.
    const follow = view.framing === "action" && view.fitted ? 0.15 : 1;
    view.scale += (scale - view.scale) * follow;
    view.e0 += (e0 - view.e0) * follow;
    view.n0 += (n0 - view.n0) * follow;
    view.fitted = true;
  }

  function setFraming(framing) {
    view.framing = framing;
    view.fitted = false;
    for (const button of $$(".map-framing button")) {
      button.classList.toggle("active", button.dataset.framing === framing);
    }
    drawMap();
  }

  function bindMapGestures() {
    const canvas = els.map;
    for (const button of $$(".map-framing button")) {
      button.addEventListener("click", () => setFraming(button.dataset.framing));
    }
    canvas.addEventListener(
      "wheel",
      (event) => {
        event.preventDefault();
        const rect = canvas.getBoundingClientRect();
        const x = event.clientX - rect.left;
        const y = event.clientY - rect.top;
        // The point under the cursor stays put while the scale changes.
        const e = view.e0 + (x - view.w / 2) / view.scale;
        const n = view.n0 - (y - view.cy) / view.scale;
        const factor = Math.exp(-event.deltaY * 0.0015);
        view.scale = clamp(view.scale * factor, 0.05, 200);
        view.e0 = e - (x - view.w / 2) / view.scale;
        view.n0 = n + (y - view.cy) / view.scale;
        setFraming("free");
      },
      { passive: false },
    );
    let drag = null;
    canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, e0: view.e0, n0: view.n0 };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (view.framing !== "free" && Math.hypot(dx, dy) < 4) return;
      view.e0 = drag.e0 - dx / view.scale;
      view.n0 = drag.n0 + dy / view.scale;
      if (view.framing !== "free") setFraming("free");
      else drawMap();
    });
    const release = () => {
      drag = null;
    };
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
  }

  function toPx(n, e) {
    return [view.w / 2 + (e - view.e0) * view.scale, view.cy - (n - view.n0) * view.scale];
  }

  // A bearing (degrees, 0 = north, 90 = east) as a unit vector on the canvas (y down).
  function bearingVec(deg) {
    const r = (deg * Math.PI) / 180;
    return [Math.sin(r), -Math.cos(r)];
  }

  function niceStep(minMetres) {
    const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000];
    for (const s of steps) if (s >= minMetres) return s;
    return steps[steps.length - 1];
  }

  function haloText(ctx, text, x, y, colour, font) {
    ctx.font = font;
    ctx.lineJoin = "round";
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = "rgba(8,11,16,0.92)";
    ctx.strokeText(text, x, y);
    ctx.fillStyle = colour;
    ctx.fillText(text, x, y);
  }

  const FONT = '"DejaVu Sans", system-ui, sans-serif';
  const MONO = '"DejaVu Sans Mono", ui-monospace, monospace';

  function drawMap() {
    const canvas = els.map;
    if (!canvas || !view.w) return;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    ctx.clearRect(0, 0, view.w, view.h);
    ctx.fillStyle = "#0a0e13";
    ctx.fillRect(0, 0, view.w, view.h);
    const set = state.set;
    if (!set) return;
    fitView();
    const frame = state.frame;

    drawGrid(ctx);
    drawGeofence(ctx, set);
    drawPaths(ctx, set);
    drawHomes(ctx, set);
    if (frame) {
      drawTrails(ctx, frame);
      drawFrustums(ctx, frame);
      const labels = [];
      drawSubjects(ctx, set, frame, labels);
      drawDrones(ctx, frame, labels);
      drawLabels(ctx, labels);
    }
    drawOverlay(ctx, set);
  }

  function drawGrid(ctx) {
    const step = niceStep(48 / view.scale);
    const [left, top] = [view.e0 - view.w / 2 / view.scale, view.n0 + view.cy / view.scale];
    const [right, bottom] = [view.e0 + view.w / 2 / view.scale, view.n0 - (view.h - view.cy) / view.scale];
    ctx.lineWidth = 1;
    for (let e = Math.ceil(left / step) * step; e <= right; e += step) {
      const [x] = toPx(0, e);
      ctx.strokeStyle = e === 0 ? "rgba(120,140,165,0.28)" : "rgba(120,140,165,0.09)";
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, 0);
      ctx.lineTo(Math.round(x) + 0.5, view.h);
      ctx.stroke();
    }
    for (let n = Math.ceil(bottom / step) * step; n <= top; n += step) {
      const [, y] = toPx(n, 0);
      ctx.strokeStyle = n === 0 ? "rgba(120,140,165,0.28)" : "rgba(120,140,165,0.09)";
      ctx.beginPath();
      ctx.moveTo(0, Math.round(y) + 0.5);
      ctx.lineTo(view.w, Math.round(y) + 0.5);
      ctx.stroke();
    }
  }

  function drawGeofence(ctx, set) {
    const fence = (set.geofence_ne_m || []).filter((p) => p && isNum(p[0]) && isNum(p[1]));
    if (fence.length < 3) return;
    ctx.beginPath();
    fence.forEach(([n, e], i) => {
      const [x, y] = toPx(n, e);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.closePath();
    ctx.fillStyle = "rgba(70,120,170,0.07)";
    ctx.fill();
    ctx.setLineDash([]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = "rgba(230,180,60,0.85)";
    ctx.stroke();
    // its label, at the fence's northernmost, westernmost corner
    let corner = fence[0];
    for (const p of fence) if (p[0] > corner[0] || (p[0] === corner[0] && p[1] < corner[1])) corner = p;
    const [x, y] = toPx(corner[0], corner[1]);
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    haloText(ctx, "geofence", x + 4, y - 4, "rgba(230,180,60,0.9)", `11px ${FONT}`);
  }

  function drawPaths(ctx, set) {
    ctx.lineWidth = 1.6;
    ctx.setLineDash([7, 6]);
    for (const subject of set.subjects || []) {
      const path = (subject.path_ne_m || []).filter((p) => p && isNum(p[0]) && isNum(p[1]));
      if (path.length < 2) continue;
      ctx.strokeStyle = hexToRgba(subject.colour || "#cccccc", 0.5);
      ctx.beginPath();
      path.forEach(([n, e], i) => {
        const [x, y] = toPx(n, e);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  function drawHomes(ctx, set) {
    for (const drone of set.drones || []) {
      const home = drone.home_ne_m;
      if (!home || !isNum(home[0]) || !isNum(home[1])) continue;
      const [x, y] = toPx(home[0], home[1]);
      ctx.fillStyle = "#0a0e13";
      ctx.fillRect(x - 4.5, y - 4.5, 9, 9);
      ctx.lineWidth = 1.6;
      ctx.strokeStyle = drone.colour || "#9aa4b2";
      ctx.strokeRect(x - 4.5, y - 4.5, 9, 9);
    }
  }

  function trailPoints(frame, id) {
    if (state.mode === "replay") return replayTrail(id);
    const trail = trails.get(id) || [];
    const t = frame.t_s;
    return trail.filter((p) => !isNum(t) || p.t >= t - TRAIL_S);
  }

  function drawTrails(ctx, frame) {
    const t = frame.t_s;
    ctx.lineCap = "round";
    for (const id of Object.keys(frame.drones || {})) {
      const points = trailPoints(frame, id);
      if (points.length < 2) continue;
      const lost = frame.drones[id].status === "lost";
      const colour = lost ? LOST_GREY : droneColour(id);
      ctx.lineWidth = 2;
      for (let i = 1; i < points.length; i++) {
        const a = points[i - 1];
        const b = points[i];
        const age = isNum(t) ? t - b.t : 0;
        const alpha = 0.06 + 0.7 * clamp(1 - age / TRAIL_S, 0, 1);
        const [x0, y0] = toPx(a.n, a.e);
        const [x1, y1] = toPx(b.n, b.e);
        ctx.strokeStyle = hexToRgba(colour, alpha);
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
      }
    }
    ctx.lineCap = "butt";
  }

  function hasPosition(d) {
    return d && isNum(d.north_m) && isNum(d.east_m);
  }

  function frustumLength(d) {
    // where the camera's axis meets the ground: height / tan(-pitch), clipped to 8..60 m
    const height = isNum(d.down_m) ? -d.down_m : 0;
    const pitch = d.gimbal_pitch_deg;
    if (height <= 0) return FRUSTUM_MIN_M; // on the ground
    if (!isNum(pitch) || pitch >= 0) return FRUSTUM_MAX_M; // at or above the horizon
    const tangent = Math.tan((-pitch * Math.PI) / 180);
    const length = tangent > 1e-9 ? height / tangent : FRUSTUM_MAX_M;
    return clamp(length, FRUSTUM_MIN_M, FRUSTUM_MAX_M);
  }

  function drawFrustums(ctx, frame) {
    for (const [id, d] of Object.entries(frame.drones || {})) {
      if (!hasPosition(d) || !isNum(d.yaw_deg)) continue;
      const lost = d.status === "lost";
      const colour = lost ? LOST_GREY : droneColour(id);
      const hfov = setDrones.get(id)?.hfov_deg;
      const half = (isNum(hfov) ? hfov : 70) / 2;
      const centre = d.yaw_deg + (isNum(d.gimbal_yaw_deg) ? d.gimbal_yaw_deg : 0);
      const radius = frustumLength(d) * view.scale;
      const [x, y] = toPx(d.north_m, d.east_m);
      ctx.beginPath();
      ctx.moveTo(x, y);
      const steps = 16;
      for (let i = 0; i <= steps; i++) {
        const [vx, vy] = bearingVec(centre - half + (2 * half * i) / steps);
        ctx.lineTo(x + vx * radius, y + vy * radius);
      }
      ctx.closePath();
      ctx.fillStyle = hexToRgba(colour, lost ? 0.08 : 0.17);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = hexToRgba(colour, lost ? 0.3 : 0.6);
      ctx.stroke();
      // the line of sight
      const [cx, cy] = bearingVec(centre);
      ctx.setLineDash([2, 4]);
      ctx.strokeStyle = hexToRgba(colour, 0.55);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + cx * radius, y + cy * radius);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  function drawSubjects(ctx, set, frame, labels) {
    const colours = new Map((set.subjects || []).map((s) => [s.subject, s.colour]));
    for (const [id, pos] of Object.entries(frame.subjects || {})) {
      if (!pos || !isNum(pos[0]) || !isNum(pos[1])) continue;
      const [x, y] = toPx(pos[0], pos[1]);
      const colour = colours.get(id) || "#e8e8e8";
      ctx.beginPath();
      ctx.arc(x, y, 6.5, 0, 2 * Math.PI);
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#0a0e13";
      ctx.stroke();
      labels.push({ x, y, gap: 10, markers: [[x, y, 8]], parts: [{ text: id, font: `italic 12px ${FONT}`, colour }] });
    }
  }

  function drawDrones(ctx, frame, labels) {
    for (const [id, d] of Object.entries(frame.drones || {})) {
      if (!hasPosition(d)) {
        // not reported yet (or never): its name by its home, muted
        const home = setDrones.get(id)?.home_ne_m;
        if (home && isNum(home[0]) && isNum(home[1])) {
          const [hx, hy] = toPx(home[0], home[1]);
          const what = d && d.status ? String(d.status) : "no data";
          labels.push({
            x: hx, y: hy, gap: 8, markers: [[hx, hy, 6]],
            parts: [
              { text: id, font: `12px ${FONT}`, colour: "#8a98ab" },
              { text: what, font: `11px ${MONO}`, colour: "#5d6b7d" },
            ],
          });
        }
        continue;
      }
      const lost = d.status === "lost";
      const colour = lost ? LOST_GREY : droneColour(id);
      const [x, y] = toPx(d.north_m, d.east_m);
      const yaw = isNum(d.yaw_deg) ? d.yaw_deg : 0;
      const [fx, fy] = bearingVec(yaw);
      const [rx, ry] = [-fy, fx]; // to the right of the heading
      const tip = 13, back = 8, wing = 8;
      ctx.beginPath();
      ctx.moveTo(x + fx * tip, y + fy * tip);
      ctx.lineTo(x - fx * back + rx * wing, y - fy * back + ry * wing);
      ctx.lineTo(x - fx * back * 0.45, y - fy * back * 0.45);
      ctx.lineTo(x - fx * back - rx * wing, y - fy * back - ry * wing);
      ctx.closePath();
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.lineWidth = 1.6;
      ctx.strokeStyle = lost ? "#2a2f36" : "#f2f5f8";
      ctx.stroke();
      if (lost) {
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#f85149";
        ctx.beginPath();
        ctx.moveTo(x - 9, y - 9);
        ctx.lineTo(x + 9, y + 9);
        ctx.moveTo(x + 9, y - 9);
        ctx.lineTo(x - 9, y + 9);
        ctx.stroke();
      }
      // "id 12 m" (or "id lost", "id out 12 m"), preferably on the side away from the heading
      const height = isNum(d.down_m) ? `${fixed(-d.down_m, 0)} m` : "";
      const extra = lost ? "lost" : d.status === "out" ? `out ${height}`.trim() : height;
      const parts = [{ text: id, font: `bold 12px ${FONT}`, colour: lost ? "#b5bcc5" : "#ffffff" }];
      if (extra) parts.push({ text: extra, font: `11px ${MONO}`, colour: lost ? "#ff7b72" : "#b7c3d1" });
      labels.unshift({ x, y, gap: 13, markers: [[x, y, 13]], parts, preferLeft: fx > 0.35, preferBelow: fy < -0.5 });
    }
  }

  // Labels last, each where it overlaps the least of the labels and markers already placed.
  function drawLabels(ctx, labels) {
    const placed = [];
    const markers = labels.flatMap((l) => l.markers || []);
    const overlap = (a, b) =>
      Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
      Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
    for (const label of labels) {
      let width = 0;
      for (const [i, part] of label.parts.entries()) {
        ctx.font = part.font;
        part.w = ctx.measureText(part.text).width;
        width += part.w + (i ? 5 : 0);
      }
      const h = 15;
      const g = label.gap;
      const right = { dx: g, side: 1 };
      const left = { dx: -g - width, side: -1 };
      const sides = label.preferLeft ? [left, right] : [right, left];
      const rows = label.preferBelow ? [g, -g - h, -h / 2, 2 * g, -2 * g - h] : [-g - h, g, -h / 2, -2 * g - h, 2 * g];
      let best = null;
      for (const dy of rows) {
        for (const side of sides) {
          const box = { x: label.x + side.dx, y: label.y + dy, w: width, h };
          let cost = 0;
          for (const other of placed) cost += overlap(box, other);
          for (const [mx, my, r] of markers) cost += overlap(box, { x: mx - r, y: my - r, w: 2 * r, h: 2 * r }) * 0.6;
          if (box.x < 2 || box.x + box.w > view.w - 2 || box.y < 2 || box.y + box.h > view.h - 2) cost += 5000;
          if (!best || cost < best.cost - 0.5) best = { box, cost };
          if (cost === 0) break;
        }
        if (best && best.cost === 0) break;
      }
      placed.push(best.box);
      let x = best.box.x;
      const y = best.box.y + h / 2 + 1;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      for (const part of label.parts) {
        haloText(ctx, part.text, x, y, part.colour, part.font);
        x += part.w + 5;
      }
    }
  }

  function drawOverlay(ctx, set) {
    // scale bar, bottom left
    const target = Math.min(160, view.w / 5);
    const steps = [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
    let metres = steps[0];
    for (const s of steps) if (s * view.scale <= target) metres = s;
    const px = metres * view.scale;
    const x0 = 16, y0 = view.h - 16;
    ctx.fillStyle = "rgba(10,14,19,0.75)";
    ctx.fillRect(x0 - 8, y0 - 24, px + 16 + 50, 32);
    ctx.strokeStyle = "#dfe7f1";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x0, y0 - 6);
    ctx.lineTo(x0, y0);
    ctx.lineTo(x0 + px, y0);
    ctx.lineTo(x0 + px, y0 - 6);
    ctx.stroke();
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillStyle = "#dfe7f1";
    ctx.font = `12px ${MONO}`;
    ctx.fillText(`${metres} m`, x0 + px + 8, y0 + 2);

    // north arrow, top right
    const nx = view.w - 26, ny = 20;
    ctx.beginPath();
    ctx.moveTo(nx, ny);
    ctx.lineTo(nx + 7, ny + 18);
    ctx.lineTo(nx, ny + 13);
    ctx.lineTo(nx - 7, ny + 18);
    ctx.closePath();
    ctx.fillStyle = "#dfe7f1";
    ctx.fill();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    haloText(ctx, "N", nx, ny + 21, "#dfe7f1", `bold 12px ${FONT}`);

    // altitude limits, bottom right
    const limits = [];
    if (isNum(set.floor_m)) limits.push(`floor ${fixed(set.floor_m, 0)} m`);
    if (isNum(set.ceiling_m)) limits.push(`ceiling ${fixed(set.ceiling_m, 0)} m`);
    if (limits.length) {
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      haloText(ctx, limits.join(" · "), view.w - 12, view.h - 10, "#8a98ab", `11px ${FONT}`);
    }
    ctx.textAlign = "left";
  }

  // Live trails: each frame's positions, the last 30 s kept.
  function updateTrails(frame) {
    const t = frame.t_s;
    if (!isNum(t)) return;
    for (const [id, d] of Object.entries(frame.drones || {})) {
      let trail = trails.get(id);
      if (!trail) trails.set(id, (trail = []));
      if (trail.length && trail[trail.length - 1].t > t + 1e-6) trail.length = 0; // the clock went back
      if (!hasPosition(d)) continue;
      const last = trail[trail.length - 1];
      if (last && Math.abs(last.t - t) < 1e-6) {
        last.n = d.north_m;
        last.e = d.east_m;
      } else {
        trail.push({ t, n: d.north_m, e: d.east_m });
      }
      let drop = 0;
      while (drop < trail.length && trail[drop].t < t - TRAIL_S) drop++;
      if (drop) trail.splice(0, drop);
      if (trail.length > TRAIL_MAX_POINTS) trail.splice(0, trail.length - TRAIL_MAX_POINTS);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Timeline: one row per drone, x from -preroll_s to end_s.

  const timelineRange = { t0: -30, t1: 0 };

  function timelinePct(t) {
    const { t0, t1 } = timelineRange;
    return (100 * (t - t0)) / Math.max(1e-9, t1 - t0);
  }

  function placeSpan(node, a, b) {
    const left = clamp(timelinePct(a), 0, 100);
    const right = clamp(timelinePct(b), 0, 100);
    node.style.left = `${left}%`;
    node.style.width = `${Math.max(0, right - left)}%`;
  }

  function buildTimeline(set) {
    const root = els.timeline;
    root.textContent = "";
    const preroll = isNum(set.preroll_s) ? set.preroll_s : 0;
    let end = isNum(set.end_s) ? set.end_s : 0;
    for (const d of set.drones || []) {
      const tl = d.timeline || {};
      if (isNum(tl.landed_s)) end = Math.max(end, tl.landed_s);
    }
    timelineRange.t0 = -preroll;
    timelineRange.t1 = end > -preroll ? end : -preroll + 1;

    // scene names across the top
    const head = el("div", "tl-row tl-head");
    head.append(el("div", "tl-label", ""));
    const sceneTrack = el("div", "tl-track tl-scenes");
    if (preroll > 0) {
      const pre = el("div", "tl-scene-name tl-preroll-name", "pre-roll");
      placeSpan(pre, -preroll, 0);
      sceneTrack.appendChild(pre);
    }
    for (const scene of set.scenes || []) {
      const name = el("div", "tl-scene-name", scene.scene);
      name.title = `${scene.scene}: ${fixed(scene.start_s, 1)} – ${fixed(scene.end_s, 1)} s`;
      placeSpan(name, scene.start_s, scene.end_s);
      sceneTrack.appendChild(name);
    }
    head.append(sceneTrack);
    root.appendChild(head);

    // a row per drone
    for (const drone of set.drones || []) {
      const colour = drone.colour || "#9aa4b2";
      const row = el("div", "tl-row tl-drone");
      row.dataset.drone = drone.drone;
      const label = el("div", "tl-label");
      const dot = el("span", "tl-dot");
      dot.style.background = colour;
      label.append(dot, el("span", "tl-name", drone.drone));
      label.title = drone.drone;
      const bar = el("div", "tl-track tl-bar");
      if (preroll > 0) {
        const zone = el("div", "tl-zone-preroll");
        placeSpan(zone, -preroll, 0);
        bar.appendChild(zone);
      }
      const tl = drone.timeline || {};
      const shots = (tl.shots || []).filter((s) => isNum(s.start_s) && isNum(s.end_s));
      const light = hexToRgba(colour, 0.3);
      if (isNum(tl.takeoff_s)) {
        const firstShot = shots.length ? shots[0].start_s : 0;
        const until = Math.max(tl.takeoff_s, Math.min(firstShot, 0));
        if (until > tl.takeoff_s) {
          const seg = el("div", "tl-seg tl-takeoff", "take-off");
          seg.style.background = light;
          seg.title = `${drone.drone}: take-off at ${fixed(tl.takeoff_s, 1)} s, to its marks`;
          placeSpan(seg, tl.takeoff_s, until);
          bar.appendChild(seg);
        }
        const mark = el("div", "tl-mark tl-mark-takeoff");
        mark.style.left = `${clamp(timelinePct(tl.takeoff_s), 0, 100)}%`;
        mark.title = `take-off ${fixed(tl.takeoff_s, 1)} s`;
        bar.appendChild(mark);
      }
      for (const shot of shots) {
        const block = el("div", "tl-shot");
        block.style.background = colour;
        block.style.color = textColourOn(colour);
        const duration = shot.end_s - shot.start_s;
        if (isNum(shot.transit_s) && shot.transit_s > 0 && duration > 0) {
          const transit = el("div", "tl-transit");
          transit.style.width = `${clamp((100 * shot.transit_s) / duration, 0, 100)}%`;
          block.appendChild(transit);
        }
        block.appendChild(el("span", "tl-shot-label", shot.move || "shot"));
        block.title = `${drone.drone} · ${shot.scene}: ${shot.move} → ${shot.subject}` +
          `${shot.size ? ` (${shot.size})` : ""}, ${fixed(shot.start_s, 1)} – ${fixed(shot.end_s, 1)} s` +
          `${shot.transit_s ? `, transit ${fixed(shot.transit_s, 1)} s` : ""}`;
        placeSpan(block, shot.start_s, shot.end_s);
        bar.appendChild(block);
      }
      if (isNum(tl.return_s)) {
        const landed = isNum(tl.landed_s) ? tl.landed_s : tl.return_s;
        if (landed > tl.return_s) {
          const seg = el("div", "tl-seg tl-return", "return");
          seg.style.background = light;
          seg.title = `${drone.drone}: return at ${fixed(tl.return_s, 1)} s, landed by ${fixed(landed, 1)} s`;
          placeSpan(seg, tl.return_s, landed);
          bar.appendChild(seg);
        }
      }
      if (isNum(tl.landed_s)) {
        const mark = el("div", "tl-mark tl-mark-landed");
        mark.style.left = `${clamp(timelinePct(tl.landed_s), 0, 100)}%`;
        mark.title = `landed ${fixed(tl.landed_s, 1)} s`;
        bar.appendChild(mark);
      }
      row.append(label, bar);
      root.appendChild(row);
    }

    // the time axis
    const axis = el("div", "tl-row tl-axis");
    axis.append(el("div", "tl-label", ""));
    const ticks = el("div", "tl-track tl-ticks");
    const span = timelineRange.t1 - timelineRange.t0;
    const step = [5, 10, 15, 20, 30, 60, 120, 300, 600].find((s) => span / s <= 12) || 1200;
    for (let t = Math.ceil(timelineRange.t0 / step) * step; t <= timelineRange.t1 + 1e-9; t += step) {
      const tick = el("div", "tl-tick", `${t} s`);
      tick.style.left = `${timelinePct(t)}%`;
      if (t === 0) tick.classList.add("tl-tick-zero");
      ticks.appendChild(tick);
    }
    axis.append(ticks);
    root.appendChild(axis);

    // scene boundaries and the cursor, over the tracks
    const overlay = el("div", "tl-overlay");
    const bounds = new Set();
    for (const scene of set.scenes || []) {
      if (isNum(scene.start_s)) bounds.add(scene.start_s);
      if (isNum(scene.end_s)) bounds.add(scene.end_s);
    }
    for (const t of bounds) {
      if (t < timelineRange.t0 || t > timelineRange.t1) continue;
      const line = el("div", t === 0 ? "tl-scene-line tl-action-line" : "tl-scene-line");
      line.style.left = `${timelinePct(t)}%`;
      overlay.appendChild(line);
    }
    const cursor = el("div", "");
    cursor.id = "timeline-cursor";
    cursor.style.left = "0%";
    overlay.appendChild(cursor);
    root.appendChild(overlay);
    els.timelineOverlay = overlay;
    els.timelineCursor = cursor;
    if (state.frame) renderCursor(state.frame);
  }

  function renderCursor(frame) {
    const cursor = els.timelineCursor;
    if (!cursor) return;
    const t = frame.t_s;
    if (!isNum(t)) {
      cursor.hidden = true;
      return;
    }
    cursor.hidden = false;
    cursor.style.left = `${clamp(timelinePct(t), 0, 100)}%`;
    cursor.title = clockText(t);
  }

  function timelineTimeAt(clientX) {
    const rect = els.timelineOverlay.getBoundingClientRect();
    if (rect.width <= 0) return null;
    const frac = (clientX - rect.left) / rect.width;
    if (frac < -0.02 || frac > 1.02) return null;
    const { t0, t1 } = timelineRange;
    return t0 + clamp(frac, 0, 1) * (t1 - t0);
  }

  // ---------------------------------------------------------------------------------------------
  // Events and commands

  function newestFirst(list) {
    return list
      .map((item, index) => ({ item, index }))
      .sort((a, b) => (b.item.t_s ?? -Infinity) - (a.item.t_s ?? -Infinity) || b.index - a.index)
      .map((x) => x.item);
  }

  function logLine(parts) {
    const li = el("li", "");
    parts.forEach(([className, text], i) => {
      if (i > 0) li.appendChild(document.createTextNode(className === "ev-msg" || className === "cmd-answer" ? " " : "  "));
      li.appendChild(el("span", className, text));
    });
    return li;
  }

  function renderEvents(frame) {
    const events = Array.isArray(frame.events) ? frame.events.slice(-RECENT) : [];
    const key = JSON.stringify(events);
    if (key === lastEventsKey) return;
    lastEventsKey = key;
    const list = els.events;
    list.textContent = "";
    if (!events.length) {
      list.appendChild(el("li", "log-empty", "no events yet"));
      return;
    }
    for (const e of newestFirst(events)) {
      const kind = String(e.kind ?? "event");
      const li = logLine([
        ["ev-t", `t=${fixed(e.t_s, 1)}`],
        ["ev-drone", e.drone == null ? "all" : String(e.drone)],
        [`ev-kind kind-${kind}`, `${kind}:`],
        ["ev-msg", String(e.message ?? "")],
      ]);
      li.className = `event kind-${kind}`;
      if (e.drone != null) li.style.setProperty("--drone", droneColour(e.drone));
      list.appendChild(li);
    }
  }

  function commandOutcome(c) {
    if (c.delivered === false) return ["not delivered", "bad"];
    if (c.accepted === true) return ["accepted", "good"];
    if (c.accepted === false) return ["refused", "bad"];
    return ["pending", "pending"];
  }

  function renderCommands(frame) {
    const commands = Array.isArray(frame.commands) ? frame.commands.slice(-RECENT) : [];
    const key = JSON.stringify(commands);
    if (key === lastCommandsKey) return;
    lastCommandsKey = key;
    const list = els.commands;
    list.textContent = "";
    if (!commands.length) {
      list.appendChild(el("li", "log-empty", "no commands yet"));
      return;
    }
    for (const c of newestFirst(commands)) {
      const [outcome, cls] = commandOutcome(c);
      const answer = c.answer ? `${outcome}: ${c.answer}` : outcome;
      const li = logLine([
        ["ev-t", `t=${fixed(c.t_s, 1)}`],
        ["ev-drone", c.drone == null ? "all" : String(c.drone)],
        ["cmd-action", String(c.action ?? "?")],
        [`cmd-answer outcome-${cls}`, answer],
      ]);
      li.className = "command";
      const who = c.requested_by ? `by ${c.requested_by}` : "";
      const why = c.reason ? ` (${c.reason})` : "";
      li.title = `${who}${why}`.trim();
      list.appendChild(li);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering a frame (live or replay)

  function renderFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    state.frame = frame;
    if (state.mode === "live") {
      updateTrails(frame);
      noticeRevisions(frame);
    }
    renderHeader(frame);
    renderCards(frame);
    renderCursor(frame);
    renderEvents(frame);
    renderCommands(frame);
    updateControls();
    drawMap();
    if (state.mode === "live" && frame.phase === "finished") waitForReplay();
  }

  // A re-plan changes a drone's timeline: read the set again (at most every few seconds).
  function noticeRevisions(frame) {
    let changed = false;
    for (const [id, d] of Object.entries(frame.drones || {})) {
      const revision = d && d.timeline_revision;
      if (revision == null) continue;
      if (seenRevisions.has(id) && seenRevisions.get(id) !== revision) changed = true;
      seenRevisions.set(id, revision);
    }
    if (!changed) return;
    const now = performance.now();
    if (now < setRefetchAt) return;
    setRefetchAt = now + 3000;
    getJSON("api/set")
      .then((set) => {
        if (state.mode !== "live") return;
        state.set = set;
        setDrones = new Map((set.drones || []).map((d) => [d.drone, d]));
        buildTimeline(set);
        drawMap();
      })
      .catch(() => {});
  }

  // ---------------------------------------------------------------------------------------------
  // Live mode

  function startLive() {
    state.mode = "live";
    document.body.classList.add("live");
    document.body.classList.remove("replay");
    for (const card of cards.values()) startLiveThumb(card.thumb);
    updateControls();
    getJSON("api/state")
      .then((frame) => {
        if (state.mode === "live" && frame && !state.frame) renderFrame(frame);
      })
      .catch((error) => {
        if (error.status === 404) checkReplayReady();
      });
    openSocket();
  }

  function socketUrl() {
    const url = new URL("ws", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.hash = "";
    url.search = "";
    return url.href;
  }

  function openSocket() {
    if (state.mode !== "live") return;
    clearTimeout(wsTimer);
    wsTimer = 0;
    let socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (_) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.onopen = () => {
      if (ws !== socket) return;
      wsAttempts = 0;
      setConnection("connected", "ok");
    };
    socket.onmessage = (event) => {
      if (ws !== socket || state.mode !== "live") return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      if (message && message.type === "frame") renderFrame(message);
    };
    socket.onerror = () => {
      /* a close follows */
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = null;
      if (state.mode !== "live") return;
      setConnection("reconnecting…", "down");
      scheduleReconnect();
      checkReplayReady();
    };
  }

  function scheduleReconnect() {
    if (state.mode !== "live" || wsTimer) return;
    const delay = Math.min(RECONNECT_MAX_S, 2 ** wsAttempts);
    wsAttempts += 1;
    wsTimer = setTimeout(() => {
      wsTimer = 0;
      openSocket();
    }, delay * 1000);
  }

  function closeSocket() {
    clearTimeout(wsTimer);
    wsTimer = 0;
    const socket = ws;
    ws = null;
    if (socket) {
      try {
        socket.close();
      } catch (_) {
        /* closed already */
      }
    }
  }

  // Once: is the replay ready (the live shoot is over)?
  async function checkReplayReady() {
    if (state.mode !== "live" || enteringReplay) return false;
    try {
      const set = await getJSON("api/set");
      if (set && (set.mode === "replay" || set.replay_ready)) return await enterReplay(true, set);
    } catch (_) {
      /* the server went away: the socket's reconnection goes on */
    }
    return false;
  }

  // After a frame with phase `finished`: poll api/set until replay_ready.
  async function waitForReplay() {
    if (waitingForReplay || state.mode !== "live") return;
    waitingForReplay = true;
    try {
      while (state.mode === "live") {
        if (await checkReplayReady()) break;
        await sleep(REPLAY_POLL_MS);
      }
    } finally {
      waitingForReplay = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Replay mode

  async function enterReplay(fromLive, newSet) {
    if (enteringReplay) return false;
    enteringReplay = true;
    try {
      let data;
      try {
        data = await getJSON("api/replay");
      } catch (error) {
        if (!fromLive) showMessage(`cannot load the replay: ${error.message}`, "error");
        return false;
      }
      if (!data || !Array.isArray(data.t_s) || !data.t_s.length) {
        if (!fromLive) showMessage("the replay has no samples", "error");
        return false;
      }
      closeSocket();
      for (const card of cards.values()) stopThumb(card.thumb);
      state.mode = "replay";
      replay = data;
      document.body.classList.add("replay");
      document.body.classList.remove("live");
      if (newSet) applySet(newSet);
      els.replayNotice.hidden = false;
      setConnection("replay", "replay");
      const t = data.t_s;
      els.scrubber.min = String(t[0]);
      els.scrubber.max = String(t[t.length - 1]);
      replayIndex = -1;
      lastEventsKey = "";
      lastCommandsKey = "";
      seek(fromLive ? t[t.length - 1] : t[0]);
      if (fromLive) showMessage("The shoot is over: this is its replay (scrub the timeline, or play it).", "info");
      updateControls();
      return true;
    } finally {
      enteringReplay = false;
    }
  }

  function nearestIndex(times, t) {
    let lo = 0;
    let hi = times.length - 1;
    if (t <= times[lo]) return lo;
    if (t >= times[hi]) return hi;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid;
    }
    return t - times[lo] <= times[hi] - t ? lo : hi;
  }

  function seek(t, force = false) {
    if (!replay) return;
    const times = replay.t_s;
    replayT = clamp(t, times[0], times[times.length - 1]);
    if (Number(els.scrubber.value) !== replayT) els.scrubber.value = String(replayT);
    const index = nearestIndex(times, replayT);
    setText(els.replayTime, `${fixed(times[index], 1)} / ${fixed(times[times.length - 1], 1)} s`);
    if (index === replayIndex && !force) return;
    replayIndex = index;
    renderFrame(replayFrame(index));
    requestReplayThumbs(times[index]);
  }

  function arrayAt(arrays, key, i) {
    const a = arrays && arrays[key];
    return Array.isArray(a) && i < a.length ? a[i] : null;
  }

  const GROUNDED_MODES = new Set(["parked", "landed"]);

  function replayFrame(i) {
    const r = replay;
    const t = r.t_s[i];
    const drones = {};
    const ids = new Set([...(state.set?.drones || []).map((d) => d.drone), ...Object.keys(r.drones || {})]);
    for (const id of ids) {
      const a = (r.drones || {})[id] || {};
      const at = (key) => arrayAt(a, key, i);
      const north = at("north_m");
      const east = at("east_m");
      const down = at("down_m");
      const has = isNum(north) && isNum(east);
      const mode = at("mode");
      const armedValue = at("armed");
      const armed = armedValue != null ? Boolean(armedValue) : has && mode != null && !GROUNDED_MODES.has(mode);
      drones[id] = {
        status: at("status") ?? (has ? "online" : "waiting"),
        connected: null,
        mode: mode ?? null,
        armed,
        battery_percent: at("battery_percent"),
        link_age_s: null,
        north_m: north,
        east_m: east,
        down_m: down,
        yaw_deg: at("yaw_deg"),
        gimbal_pitch_deg: at("gimbal_pitch_deg"),
        gimbal_yaw_deg: at("gimbal_yaw_deg"),
        shot: at("shot"),
        framing_error: at("framing_error"),
        timeline_revision: null,
        note: at("note") ?? "",
      };
    }
    const subjects = {};
    for (const [id, a] of Object.entries(r.subjects || {})) {
      const n = arrayAt(a, "north_m", i);
      const e = arrayAt(a, "east_m", i);
      if (isNum(n) && isNum(e)) subjects[id] = [n, e];
    }
    const upTo = (list) => (Array.isArray(list) ? list.filter((x) => !isNum(x.t_s) || x.t_s <= t + 1e-9).slice(-RECENT) : []);
    const aborted = (r.events || []).some((e) => e.kind === "abort" && isNum(e.t_s) && e.t_s <= t + 1e-9);
    return {
      type: "frame",
      t_s: t,
      phase: "replay",
      aborted,
      speed: Number(els.replaySpeed.value) || 1,
      drones,
      subjects,
      events: upTo(r.events),
      commands: upTo(r.commands),
    };
  }

  // The trail of a drone in the replay: its samples of the last 30 s up to the current one.
  function replayTrail(id) {
    if (!replay || replayIndex < 0) return [];
    const a = (replay.drones || {})[id];
    if (!a) return [];
    const times = replay.t_s;
    const t = times[replayIndex];
    let start = replayIndex;
    while (start > 0 && times[start - 1] >= t - TRAIL_S) start--;
    const count = replayIndex - start + 1;
    const stride = Math.max(1, Math.ceil(count / 300));
    const points = [];
    for (let k = start; k <= replayIndex; k += stride) {
      const n = arrayAt(a, "north_m", k);
      const e = arrayAt(a, "east_m", k);
      if (isNum(n) && isNum(e)) points.push({ t: times[k], n, e });
    }
    if ((replayIndex - start) % stride !== 0) {
      const n = arrayAt(a, "north_m", replayIndex);
      const e = arrayAt(a, "east_m", replayIndex);
      if (isNum(n) && isNum(e)) points.push({ t, n, e });
    }
    return points;
  }

  function setPlaying(on) {
    playing = on;
    els.play.textContent = on ? "❚❚ Pause" : "▶ Play";
    els.play.classList.toggle("is-playing", on);
    cancelAnimationFrame(playRaf);
    playLast = null;
    if (on) playRaf = requestAnimationFrame(playStep);
  }

  function playStep(now) {
    if (!playing || !replay) return;
    if (playLast !== null) {
      const speed = Number(els.replaySpeed.value) || 1;
      const dt = Math.min(0.25, (now - playLast) / 1000) * speed;
      const end = replay.t_s[replay.t_s.length - 1];
      const next = replayT + dt;
      seek(next);
      if (next >= end) {
        setPlaying(false);
        return;
      }
    }
    playLast = now;
    playRaf = requestAnimationFrame(playStep);
  }

  function togglePlay() {
    if (!replay) return;
    if (playing) {
      setPlaying(false);
      return;
    }
    const times = replay.t_s;
    if (replayT >= times[times.length - 1] - 1e-6) seek(times[0]);
    setPlaying(true);
  }

  // ---------------------------------------------------------------------------------------------
  // Commands: confirmation, token, POST api/command

  function describe(action, drone) {
    const set = state.set || {};
    const phase = state.frame ? state.frame.phase : null;
    switch (action) {
      case "start":
        return phase === "paused"
          ? "Start: the shoot resumes, every drone carries on with its timeline"
          : "Start: the shoot starts, the drones fly their timelines";
      case "pause":
        return "Pause: the shoot pauses, every drone holds where it is";
      case "abort": {
        const what = set.abort_action ? ABORT_PHRASES[set.abort_action] || set.abort_action : "hold";
        return `Abort all: every drone will ${what}`;
      }
      case "hold":
        return `${drone}: hold where it is`;
      case "resume":
        return `${drone}: resume its timeline`;
      case "return":
        return `${drone}: return home and land`;
      default:
        return drone ? `${drone}: ${action}` : action;
    }
  }

  const OK_LABELS = {
    start: "Start", pause: "Pause", abort: "Abort all", hold: "Hold", resume: "Resume", return: "Return home",
  };

  function askCommand(action, drone = null) {
    if (state.mode !== "live") return;
    pendingCommand = { action, drone };
    setText(els.confirmText, describe(action, drone));
    const known = Boolean(readToken());
    els.tokenRow.hidden = known;
    els.tokenInput.value = "";
    els.tokenError.hidden = true;
    els.confirmOk.textContent = OK_LABELS[action] || "Confirm";
    els.confirmOk.classList.toggle("btn-danger", action === "abort" || action === "return");
    els.confirm.dataset.action = action;
    if (typeof els.confirm.showModal === "function") {
      if (!els.confirm.open) els.confirm.showModal();
    } else {
      els.confirm.setAttribute("open", "");
    }
    if (!known) els.tokenInput.focus();
    else els.confirmCancel.focus();
  }

  function closeConfirm() {
    if (typeof els.confirm.close === "function") {
      if (els.confirm.open) els.confirm.close();
    } else {
      els.confirm.removeAttribute("open");
    }
  }

  function confirmCommand() {
    const command = pendingCommand;
    if (!command) {
      closeConfirm();
      return;
    }
    let token = readToken();
    if (!token) {
      token = els.tokenInput.value.trim();
      if (!token) {
        els.tokenError.hidden = false;
        els.tokenInput.focus();
        return;
      }
      storeToken(token);
    }
    pendingCommand = null;
    closeConfirm();
    sendCommand(command, token);
  }

  async function sendCommand({ action, drone }, token) {
    const body = drone ? { action, drone } : { action };
    const what = drone ? `${action} (${drone})` : action;
    showMessage(`${what}: sending…`, "pending");
    let response;
    try {
      response = await fetch("api/command", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    } catch (error) {
      showMessage(`${what}: the station did not answer (${error.message})`, "error");
      return;
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      /* no JSON body */
    }
    if (response.status === 401) {
      forgetToken();
      const detail = detailText(data) || "the token was refused";
      showMessage(`${detail}. The stored token was forgotten: enter it again with the next command.`, "error");
      return;
    }
    if (!response.ok) {
      showMessage(detailText(data) || `${what}: refused (HTTP ${response.status})`, "error");
      return;
    }
    const message = data && data.message != null ? String(data.message) : `${what}: ok`;
    showMessage(message, data && data.ok === false ? "error" : "ok");
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  function bindElements() {
    Object.assign(els, {
      mission: $("#mission"),
      clock: $("#clock"),
      speed: $("#speed"),
      phase: $("#phase"),
      aborted: $("#aborted"),
      replayNotice: $("#replay-notice"),
      connection: $("#connection"),
      message: $("#message"),
      start: $("#start"),
      pause: $("#pause"),
      abortAll: $("#abort-all"),
      map: $("#map"),
      drones: $("#drones"),
      timeline: $("#timeline"),
      events: $("#events"),
      commands: $("#commands"),
      confirm: $("#confirm"),
      confirmForm: $("#confirm-form"),
      confirmText: $("#confirm-text"),
      confirmOk: $("#confirm-ok"),
      confirmCancel: $("#confirm-cancel"),
      tokenRow: $("#token-row"),
      tokenInput: $("#token-input"),
      tokenError: $("#token-error"),
      play: $("#play"),
      replaySpeed: $("#replay-speed"),
      scrubber: $("#scrubber"),
      replayTime: $("#replay-time"),
    });
  }

  function bindControls() {
    bindMapGestures();
    els.start.addEventListener("click", () => askCommand("start"));
    els.pause.addEventListener("click", () => askCommand("pause"));
    els.abortAll.addEventListener("click", () => askCommand("abort"));
    els.confirmForm.addEventListener("submit", (event) => {
      event.preventDefault();
      confirmCommand();
    });
    els.confirmCancel.addEventListener("click", () => {
      pendingCommand = null;
      closeConfirm();
    });
    els.confirm.addEventListener("close", () => {
      pendingCommand = null;
    });
    els.scrubber.addEventListener("input", () => seek(Number(els.scrubber.value)));
    els.play.addEventListener("click", togglePlay);
    els.replaySpeed.addEventListener("change", () => {
      if (state.frame && state.mode === "replay") state.frame.speed = Number(els.replaySpeed.value) || 1;
    });
    els.timeline.addEventListener("click", (event) => {
      if (state.mode !== "replay" || !els.timelineOverlay) return;
      const t = timelineTimeAt(event.clientX);
      if (t !== null) seek(t);
    });
    const observer = typeof ResizeObserver === "function" ? new ResizeObserver(() => resizeMap()) : null;
    if (observer) observer.observe(els.map.parentElement);
    window.addEventListener("resize", resizeMap);
  }

  async function init() {
    bindElements();
    takeTokenFromFragment();
    bindControls();
    resizeMap();
    updateControls();
    let set = null;
    for (let attempt = 0; !set; attempt++) {
      try {
        set = await getJSON("api/set");
      } catch (error) {
        showMessage(`cannot reach the station (${error.message}); retrying…`, "error");
        setConnection("reconnecting…", "down");
        await sleep(Math.min(RECONNECT_MAX_S, 1 + attempt) * 1000);
      }
    }
    if (els.message.classList.contains("message-error")) showMessage("", "info");
    applySet(set);
    resizeMap();
    if (set.mode === "replay") {
      state.mode = "replay";
      document.body.classList.add("replay");
      let ok = false;
      for (let attempt = 0; !ok; attempt++) {
        ok = await enterReplay(false, null);
        if (!ok) await sleep(Math.min(RECONNECT_MAX_S, 2 + attempt) * 1000);
      }
    } else {
      startLive();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
