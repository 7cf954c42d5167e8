// The hall's live screens: board, window screen, evaluator, console, ticket and booking pages.
// Each page names itself in data-page; state comes from the JSON API, changes from
// /ws/hall/{center}. Devices keep their bearer token in localStorage, set once by opening the
// page with #token=osd_… (the fragment never reaches the server or its logs).
import { mirrorScreen } from "./mirror.js";

const root = document.querySelector("[data-page]");
const page = root?.dataset.page;
const center = root?.dataset.center;
const windowID = root?.dataset.window;
const zh = document.documentElement.lang !== "en";

if (location.hash.startsWith("#token=")) {
  localStorage.setItem("onestop.device", decodeURIComponent(location.hash.slice(7)));
  history.replaceState(null, "", location.pathname + location.search);
}
const deviceToken = localStorage.getItem("onestop.device");
const csrf = document.querySelector("meta[name=csrf]")?.content;

async function api(method, path, body, { device = false } = {}) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (device && deviceToken) headers.authorization = "Bearer " + deviceToken;
  else if (csrf) headers["x-csrf-token"] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
  if (!res.ok) {
    const msg = data?.errors?.map((e) => e.message).join("；") || data?.detail || data?.title || res.statusText;
    throw new Error(msg);
  }
  return data;
}

// One connection per page, reconnecting with backoff after a drop or a server restart. Every
// (re)connection starts with a "hello", on which the page reloads its state.
function live(onEvent) {
  let delay = 500;
  const offline = document.getElementById("offline");
  const connect = () => {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/hall/" + center);
    ws.onmessage = (m) => {
      delay = 500;
      if (offline) offline.hidden = true;
      try { onEvent(JSON.parse(m.data)); } catch (e) { console.error(e); }
    };
    ws.onclose = () => {
      if (offline) offline.hidden = false;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  };
  connect();
}

// Many events in a burst cost one reload.
function debounced(fn, ms = 250) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = text; if (cls) e.className = cls; return e; };
const minutes = (s) => Math.round(s / 60);

// ---------- hall board ----------
if (page === "board") {
  const announced = new Set();
  let voice = localStorage.getItem("onestop.voice") === "on";
  const sound = document.getElementById("sound-on");
  const showSound = () => { sound.textContent = voice ? (zh ? "语音播报：开" : "Voice: on") : (zh ? "语音播报：关（点此开启）" : "Voice: off (tap to turn on)"); };
  showSound();
  sound.addEventListener("click", () => { voice = !voice; localStorage.setItem("onestop.voice", voice ? "on" : "off"); showSound(); if (voice) say(zh ? "语音播报已开启" : "Voice on"); });
  const say = (text) => {
    if (!voice || !("speechSynthesis" in window)) return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    u.rate = 0.9;
    speechSynthesis.speak(u);
  };
  const clock = document.querySelector("[data-clock]");
  // The hall's time: the center's zone, and the server's clock corrected for this computer's drift.
  const skew = Number(clock.dataset.now || Date.now()) - Date.now();
  const zone = clock.dataset.zone || "Asia/Shanghai";
  const tick = () => { clock.textContent = new Date(Date.now() + skew).toLocaleTimeString(zh ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone }); };
  tick();
  setInterval(tick, 1000);
  const load = debounced(async () => {
    const s = await api("GET", "/api/v1/centers/" + center + "/queue");
    const calls = document.getElementById("board-calls");
    calls.replaceChildren(...s.lastCalls.map((c, i) => { const tr = el("tr", null, i === 0 ? "latest" : ""); tr.append(el("td", c.number), el("td", c.window + (zh ? " 号窗口" : ""))); return tr; }));
    // Calls made before this page loaded are history, not news.
    for (const c of s.lastCalls) announced.add(c.callID);
    const groups = document.getElementById("board-groups");
    groups.replaceChildren(...s.groups.map((g) => el("li", zh ? `${g.prefix} ${g.name}：等候 ${g.waiting}` : `${g.prefix} ${g.name}: ${g.waiting} waiting`)));
    document.getElementById("board-notice").textContent = s.openToday ? s.notice : (zh ? "今日非工作日，大厅不取号。" : "The hall is closed today.");
  });
  live((e) => {
    if ((e.kind === "called" || e.kind === "recalled") && e.callID && !announced.has(e.callID)) {
      announced.add(e.callID);
      say(e.text);
    }
    load();
  });
  setInterval(load, 30000);
}

// ---------- managers' hall view: the server renders it; events re-fetch and swap the live part ----------
if (page === "manage") {
  const load = debounced(async () => {
    const res = await fetch(location.href, { headers: { accept: "text/html" } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("manage-live");
    if (fresh) document.getElementById("manage-live").replaceChildren(...fresh.childNodes);
  }, 1000);
  live(load);
  setInterval(load, 30000);
}

// ---------- window screen ----------
if (page === "window-screen") {
  const load = debounced(async () => {
    const s = await api("GET", "/api/v1/centers/" + center + "/queue");
    const w = s.windows.find((x) => x.id.toLowerCase() === windowID.toLowerCase());
    document.getElementById("ws-number").textContent = w?.current ?? "—";
    const prof = await fetch("/api/v1/windows/" + windowID + "/profile").then((r) => (r.ok ? r.json() : null)).catch(() => null);
    document.getElementById("ws-staff").hidden = !prof?.staff;
    if (!prof?.staff) document.getElementById("ws-survey").hidden = true;
    document.getElementById("ws-idle").hidden = !!w?.open;
    const awards = document.getElementById("ws-awards");
    awards.textContent = (prof?.awards ?? []).join("　");
    awards.hidden = !prof?.awards?.length;
    const sat = document.getElementById("ws-satisfaction");
    if (prof && prof.monthSatisfaction != null) {
      sat.textContent = sat.dataset.label.replace("{value}", (prof.monthSatisfaction * 100).toFixed(1) + "%").replace("{n}", prof.monthRated);
      sat.hidden = false;
    } else sat.hidden = true;
    if (prof?.staff) {
      document.getElementById("ws-name").textContent = prof.staff.name;
      document.getElementById("ws-job").textContent = prof.staff.jobNumber;
      const stars = document.getElementById("ws-stars");
      stars.textContent = prof.stars != null ? "★".repeat(prof.stars) + "☆".repeat(10 - prof.stars) : "";
      stars.title = prof.stars != null ? stars.dataset.label.replace("{n}", prof.stars).replace("{period}", prof.starsPeriod ?? "") : "";
      document.getElementById("ws-stars-comment").textContent = prof.starsComment ?? "";
      const survey = document.getElementById("ws-survey");
      if (prof.surveyPath) { document.getElementById("ws-survey-qr").src = prof.surveyPath + "/qr.svg"; survey.hidden = false; } else survey.hidden = true;
      const img = document.getElementById("ws-photo");
      if (prof.staff.photoURL) { img.src = prof.staff.photoURL; img.alt = prof.staff.name; img.hidden = false; } else img.hidden = true;
    }
  });
  live(load);
  setInterval(load, 30000);
}

// ---------- evaluator ----------
if (page === "evaluator") {
  const show = (id) => { for (const s of ["ev-idle", "ev-ask", "ev-thanks", "ev-check"]) document.getElementById(s).hidden = s !== id; };
  let ticket = null;
  let timer = null;
  let timeout = 30;
  if (!deviceToken) document.getElementById("ev-setup").hidden = false;
  const send = async (body) => {
    clearTimeout(timer);
    const t = ticket;
    ticket = null;
    if (!t) return;
    try { await api("POST", "/api/v1/tickets/" + t.id + "/rating", body, { device: true }); } catch (e) { console.error(e); }
    show("ev-thanks");
    setTimeout(() => { if (!ticket) show("ev-idle"); }, 4000);
  };
  const check = debounced(async () => {
    if (ticket || !deviceToken) return;
    const r = await api("GET", "/api/v1/windows/" + windowID + "/evaluation", undefined, { device: true });
    if (!r.ticket) return;
    ticket = r.ticket;
    document.getElementById("ev-number").textContent = ticket.number;
    document.getElementById("ev-tags").hidden = true;
    for (const c of document.querySelectorAll("#ev-tags input")) c.checked = false;
    show("ev-ask");
    timer = setTimeout(() => send({ notRated: true }), timeout * 1000);
  });
  let chosen = null;
  for (const b of document.querySelectorAll("[data-level]")) {
    b.addEventListener("click", () => {
      chosen = Number(b.dataset.level);
      if (chosen <= 2) { document.getElementById("ev-tags").hidden = false; return; }
      send({ level: chosen });
    });
  }
  document.getElementById("ev-send").addEventListener("click", () => {
    const tags = [...document.querySelectorAll("#ev-tags input:checked")].map((c) => c.value);
    if (tags.length === 0) { document.getElementById("ev-tags").querySelector("h2").classList.add("error"); return; }
    send({ level: chosen, tags });
  });
  // 分屏: what the clerk is entering, for the visitor to check; a rating question comes first.
  mirrorScreen({ api, show, windowID, zh, busy: () => ticket !== null || !deviceToken });
  api("GET", "/api/v1/centers/" + center + "/queue").then((s) => { timeout = s.ratingTimeout || 30; });
  live((e) => { if (!e.windowID || e.windowID.toLowerCase() === windowID.toLowerCase() || e.kind === "hello") check(); });
  setInterval(check, 15000);
}

// ---------- ticket ----------
if (page === "ticket") {
  const token = root.dataset.token;
  const load = debounced(async () => {
    const t = await api("GET", "/api/v1/tickets/follow/" + token);
    if (t.followToken && t.followToken !== token) return;
    const state = { waiting: zh ? "等候中" : "Waiting", called: zh ? "请到窗口办理" : "Please go to the window", serving: zh ? "办理中" : "Being served", parked: zh ? "已挂起" : "Parked", finished: zh ? "办理完毕" : "Finished", expired: zh ? "已过号失效" : "Expired", transferred: zh ? "已转出" : "Transferred" }[t.state];
    root.querySelector("[data-field=state]").textContent = state + (t.windowNumber && t.state !== "waiting" ? (zh ? ` · ${t.windowNumber} 号窗口` : ` · window ${t.windowNumber}`) : "");
    root.querySelector("[data-field=ahead]").textContent = t.ahead ?? "—";
    root.querySelector("[data-field=wait]").textContent = t.estimatedWaitMinutes != null ? (zh ? `约 ${t.estimatedWaitMinutes} 分钟` : `about ${t.estimatedWaitMinutes} min`) : "—";
    if (t.number !== document.getElementById("ticket-number").textContent) document.getElementById("ticket-number").textContent = t.number;
    const slip = root.querySelector("[data-field=state]");
    slip.className = "slip-state state-" + t.state;
    // A finished visit not yet rated is invited to rate (好差评), once.
    const rate = document.getElementById("rate");
    if (document.getElementById("rate-thanks").hidden) rate.hidden = !(t.state === "finished" && !t.rated);
  });
  live(load);
  const rateForm = document.getElementById("rate-form");
  const tagBox = document.getElementById("rate-tags");
  for (const r of rateForm.querySelectorAll("input[name=level]")) r.addEventListener("change", () => { tagBox.hidden = Number(r.value) > 2; });
  rateForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const errors = document.getElementById("rate-errors");
    errors.hidden = true;
    const level = rateForm.querySelector("input[name=level]:checked");
    const tags = level && Number(level.value) <= 2 ? [...rateForm.querySelectorAll("input[name=tags]:checked")].map((c) => c.value) : [];
    try {
      await api("POST", "/api/v1/tickets/" + root.dataset.ticket + "/rating", { level: level ? Number(level.value) : null, tags, text: rateForm.text.value, token });
      document.getElementById("rate").hidden = true;
      document.getElementById("rate-thanks").hidden = false;
    } catch (e) { errors.textContent = e.message; errors.hidden = false; errors.focus(); }
  });
}

// ---------- console ----------
if (page === "desk") {
  let current = null;
  const err = document.getElementById("desk-error");
  const fail = (e) => { err.textContent = e.message; err.hidden = false; };
  const show = (t) => {
    current = t && ["called", "serving"].includes(t.state) ? t : null;
    root.querySelector("[data-field=number]").textContent = current?.number ?? "—";
    // Taking in an application for the visitor being served starts from their ticket.
    const intake = document.getElementById("desk-intake");
    if (intake) {
      intake.hidden = current?.state !== "serving";
      if (current) intake.href = "/cases/new?ticket=" + encodeURIComponent(current.id);
    }
    root.querySelector("[data-field=detail]").textContent = current ? `${current.groupName} · ${{ called: zh ? "已叫号" : "called", serving: zh ? "办理中" : "serving" }[current.state]}${current.calls > 1 ? (zh ? ` · 第 ${current.calls} 次呼叫` : ` · call ${current.calls}`) : ""}` : "";
  };
  // What the ticket's state forbids is marked aria-disabled (still focusable, so the reason can be
  // read on focus or hover) and refused with that reason if pressed.
  const why = {
    none: zh ? "当前没有号" : "No current ticket",
    busy: zh ? "请先办完或挂起当前的号" : "Finish or park the current ticket first",
    paused: zh ? "窗口已暂停，请先恢复" : "The window is paused; resume it first",
    called: zh ? "尚未开始办理" : "Service has not started",
    serving: zh ? "已在办理中" : "Already being served",
  };
  const allow = (state, paused) => ({
    "call-next": paused ? why.paused : state ? why.busy : "",
    recall: !state ? why.none : state === "serving" ? why.serving : "",
    start: !state ? why.none : state === "serving" ? why.serving : "",
    finish: !state ? why.none : state === "called" ? why.called : "",
    skip: !state ? why.none : state === "serving" ? why.serving : "",
    park: !state ? why.none : "",
    pause: state && !paused ? why.busy : "",
  });
  const refuse = (action) => {
    const b = root.querySelector(`[data-act=${action}]`);
    return b && b.getAttribute("aria-disabled") === "true" ? b.title : "";
  };
  const load = debounced(async () => {
    const d = await api("GET", "/api/v1/windows/" + windowID + "/desk");
    show(d.current);
    const pause = root.querySelector("[data-act=pause]");
    pause.dataset.paused = d.paused ? "1" : "";
    pause.firstChild.textContent = d.paused ? (zh ? "恢复 " : "Resume ") : (zh ? "暂停 " : "Pause ");
    const rules = allow(current?.state, d.paused);
    for (const [action, reason] of Object.entries(rules)) {
      const b = root.querySelector(`[data-act=${action}]`);
      if (!b) continue;
      b.setAttribute("aria-disabled", reason ? "true" : "false");
      b.title = reason;
    }
    const transfer = document.querySelector("#transfer-form button");
    if (transfer) { transfer.setAttribute("aria-disabled", current ? "false" : "true"); transfer.title = current ? "" : why.none; }
    const s = await api("GET", "/api/v1/centers/" + center + "/queue");
    document.getElementById("desk-groups").replaceChildren(...s.groups.filter((g) => d.groups.includes(g.prefix)).map((g) => {
      const tr = el("tr"); tr.append(el("td", `${g.prefix} ${g.name}`), el("td", String(g.waiting)), el("td", g.waiting ? minutes(g.longestWaitSeconds) + (zh ? " 分钟" : " min") : "—")); return tr;
    }));
    const list = await api("GET", "/api/v1/windows/" + windowID + "/queue");
    document.getElementById("desk-list").replaceChildren(...list.map((t) => {
      const li = el("li");
      const b = el("button", t.state === "parked" ? (zh ? `恢复 ${t.number}` : `Resume ${t.number}`) : (zh ? `叫 ${t.number}` : `Call ${t.number}`), "button small");
      b.type = "button";
      b.addEventListener("click", () => act(t.state === "parked" ? "resume" : "call", t.id));
      li.append(b, el("span", ` ${t.groupName}${t.ticketClass !== "ordinary" ? " · " + t.ticketClass : ""}`, "muted"));
      return li;
    }));
  });
  const act = async (action, id) => {
    err.hidden = true;
    const reason = id ? "" : refuse(action);
    if (reason) return fail(new Error(reason));
    try {
      if (action === "call-next") {
        const r = await api("POST", "/api/v1/windows/" + windowID + "/call-next");
        if (!r.ticket) fail(new Error(zh ? "目前没有等候的号" : "Nobody is waiting"));
      } else if (action === "pause") {
        const paused = root.querySelector("[data-act=pause]").dataset.paused === "1";
        await api("POST", "/api/v1/windows/" + windowID + (paused ? "/resume" : "/pause"));
      } else {
        const target = id ?? current?.id;
        if (!target) throw new Error(zh ? "当前没有号" : "No current ticket");
        await api("POST", "/api/v1/tickets/" + target + "/" + action, { window: windowID });
      }
    } catch (e) { fail(e); }
    load();
  };
  for (const b of root.querySelectorAll("[data-act]")) b.addEventListener("click", () => act(b.dataset.act));
  document.getElementById("transfer-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!current) return fail(new Error(zh ? "当前没有号" : "No current ticket"));
    try {
      const t = await api("POST", "/api/v1/tickets/" + current.id + "/transfer", { window: windowID, group: document.getElementById("t-group").value, returnHere: document.getElementById("t-return").checked });
      err.hidden = false; err.textContent = (zh ? "已转为 " : "Now ") + t.number;
    } catch (e) { fail(e); }
    load();
  });
  const keys = { n: "call-next", r: "recall", s: "start", f: "finish", k: "skip", p: "park", z: "pause" };
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ["INPUT", "SELECT", "TEXTAREA"].includes(ev.target.tagName)) return;
    const k = ev.key.toLowerCase();
    if (keys[k]) { ev.preventDefault(); act(keys[k]); }
    if (k === "t") { ev.preventDefault(); document.getElementById("t-group").focus(); }
  });
  live(load);
}

// ---------- booking ----------
if (page === "book") {
  const form = document.getElementById("book-form");
  const slots = document.getElementById("b-slots");
  const errors = document.getElementById("book-errors");
  const loadSlots = async () => {
    slots.replaceChildren();
    try {
      const r = await api("GET", `/api/v1/centers/${center}/slots?group=${form.group.value}&date=${form.date.value}`);
      if (!r.open) { slots.append(el("p", zh ? "该日不可预约（非工作日或超出可预约范围）" : "No bookings on this day")); return; }
      for (const s of r.slots) {
        const l = el("label", null, "slot");
        const i = el("input"); i.type = "radio"; i.name = "slot"; i.value = s.start; i.disabled = !s.available;
        // A slot already begun today is past, not "4 left"; a full one says so.
        const left = s.capacity - s.booked;
        const note = s.past ? (zh ? "已过" : "past") : left <= 0 ? (zh ? "已约满" : "full") : zh ? `余 ${left}` : `${left} left`;
        if (!s.available) l.classList.add("unavailable");
        l.append(i, ` ${s.start}-${s.end} ${note}`);
        // 延时服务: a slot outside office hours says so.
        if (s.extended) { l.classList.add("extended"); l.append(" ", el("span", zh ? "延时服务" : "extended hours", "tag")); }
        slots.append(l);
      }
    } catch (e) { slots.append(el("p", e.message)); }
  };
  form.group.addEventListener("change", loadSlots);
  form.date.addEventListener("change", loadSlots);
  loadSlots();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    errors.hidden = true;
    const body = { center, group: form.group.value, date: form.date.value, slot: form.querySelector("input[name=slot]:checked")?.value, name: form.name.value, idNumber: form.idNumber.value, phone: form.phone.value };
    try {
      const a = await api("POST", "/api/v1/appointments", body);
      form.hidden = true;
      document.getElementById("book-done").hidden = false;
      document.getElementById("book-code").textContent = a.code;
      const ext = a.extended ? (zh ? "（延时服务）" : " (extended hours)") : "";
      document.getElementById("book-summary").textContent = zh ? `${a.groupName}，${a.date} ${a.slot}${ext}。预约号 ${a.code}，请于时段开始前 30 分钟内到大厅自助机签到。` : `${a.groupName}, ${a.date} ${a.slot}${ext}. Booking code ${a.code}; check in at the hall kiosk up to 30 minutes before.`;
    } catch (e) { errors.textContent = e.message; errors.hidden = false; errors.focus(); }
  });
  document.getElementById("cancel-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    try {
      await api("POST", `/api/v1/appointments/${encodeURIComponent(f.code.value)}/cancel`, { idNumber: f.idNumber.value });
      document.getElementById("cancel-result").textContent = zh ? "已取消" : "Cancelled";
    } catch (e) { document.getElementById("cancel-result").textContent = e.message; }
  });
}

// ---------- take a ticket: the hall guide's kiosk may set a priority class ----------
if (document.querySelector("[data-guide-only]") && deviceToken) {
  const form = document.querySelector("[data-device-form]");
  document.querySelector("[data-guide-only]").hidden = false;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const group = ev.submitter?.value;
    const cls = form.querySelector("input[name=ticketClass]:checked")?.value;
    try {
      const code = location.pathname.split("/")[2];
      const t = await api("POST", "/api/v1/tickets", { center: code, group, ticketClass: cls }, { device: true });
      location.href = t.followURL + "?new=1";
    } catch (e) { alert(e.message); }
  });
}

// ---------- the center's polite expressions (文明用语规范), one at a time ----------
for (const box of document.querySelectorAll("[data-rotate]")) {
  const items = [...box.children];
  let at = 0;
  const show = () => items.forEach((x, i) => { x.hidden = i !== at; });
  show();
  if (items.length > 1) setInterval(() => { at = (at + 1) % items.length; show(); }, 8000);
}
