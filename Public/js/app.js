// Small progressive enhancements; every page works without this file.
const summary = document.getElementById("error-summary");
if (summary) summary.focus();
// Lists filter on change, so a keyboard user does not need to find the button.
for (const select of document.querySelectorAll("form.filters select")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}
// On a "new" form, choosing another center reloads the form so that its department, staff and
// window lists belong to that center.
const centerSelect = document.querySelector("form.form select[name=centerID]");
if (centerSelect && location.pathname.endsWith("/new")) {
  centerSelect.addEventListener("change", () => {
    location.search = "?centerID=" + encodeURIComponent(centerSelect.value);
  });
}
// Print buttons (the checklist, the guide, a bundle).
for (const b of document.querySelectorAll("[data-print]")) b.addEventListener("click", () => window.print());

// Kiosk mode: go back to the hall's home after the configured idle time, and offer an on-screen
// keyboard for the search box (a touch screen has no keyboard). Chinese cannot be typed without an
// input method, so the keyboard offers common service words as whole keys, plus letters for pinyin
// and digits for item codes.
const kioskHome = document.body.dataset.kioskHome;
if (kioskHome) {
  const idle = Number(document.body.dataset.kioskIdle || 90) * 1000;
  let timer;
  const reset = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (location.pathname !== kioskHome || location.search) location.href = kioskHome;
    }, idle);
  };
  for (const e of ["pointerdown", "keydown", "touchstart", "scroll", "input"]) addEventListener(e, reset, { passive: true });
  reset();
  const input = document.querySelector("input[data-osk]");
  if (input) {
    const words = ["身份证", "户口", "营业执照", "个体工商户", "食品", "社保", "医保", "养老", "不动产", "婚姻", "出生", "退休", "公积金", "税务", "医师"];
    const pad = document.createElement("div");
    pad.className = "osk";
    pad.setAttribute("role", "group");
    pad.setAttribute("aria-label", "屏幕键盘");
    const key = (label, act, cls) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      if (cls) b.className = cls;
      b.addEventListener("click", act);
      return b;
    };
    const row = document.createElement("div");
    row.className = "words";
    for (const w of words) row.append(key(w, () => { input.value += w; input.focus(); }));
    pad.append(row);
    // Letters for pinyin and its initials (yyzz finds 营业执照), digits for item codes.
    for (const c of "1234567890qwertyuiopasdfghjklzxcvbnm") pad.append(key(c, () => { input.value += c; input.focus(); }));
    pad.append(key("⌫", () => { input.value = input.value.slice(0, -1); input.focus(); }, "wide"));
    pad.append(key("清空", () => { input.value = ""; input.focus(); }, "wide"));
    pad.append(key("搜索", () => { if (input.value.trim()) input.form.requestSubmit(); }, "wide primary"));
    input.form.after(pad);
  }
}

// The menu's groups: one open at a time, closed by Escape or a click elsewhere.
const navGroups = document.querySelectorAll(".nav-group");
const closeGroups = (except) => { for (const g of navGroups) if (g !== except) g.open = false; };
for (const g of navGroups) g.addEventListener("toggle", () => { if (g.open) closeGroups(g); });
document.addEventListener("click", (e) => { if (!e.target.closest(".nav-group")) closeGroups(); });
document.addEventListener("keydown", (e) => {
  const open = document.querySelector(".nav-group[open]");
  if (e.key === "Escape" && open) {
    open.open = false;
    open.querySelector("summary").focus();
  }
});

// Intake: as the ID number is completed, find the applicant on record — their name, masked phone
// and earlier cases, the licences OneStop issued them — and mark the materials those licences
// stand in for. The server does the same on saving; this only shows the clerk beforehand.
const lookup = document.getElementById("applicant-lookup");
if (lookup) {
  const form = lookup.closest("form");
  const id = form.querySelector("#a-id");
  const kind = form.querySelector("#a-kind");
  const fill = (t, v) => Object.entries(v).reduce((s, [k, x]) => s.replaceAll("{" + k + "}", x), t);
  let asked = "";
  const ask = async () => {
    const value = id.value.trim().toUpperCase();
    if (value.length !== 18 || value === asked) return;
    asked = value;
    const q = new URLSearchParams({ kind: kind.value, idNumber: value, item: form.item.value, center: form.center.value });
    const res = await fetch(lookup.dataset.url + "?" + q, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!res.ok) { lookup.hidden = true; return; }
    const r = await res.json();
    const lines = [];
    if (r.found) {
      lines.push(fill(lookup.dataset.found, { name: r.name, phone: r.phone, cases: r.cases }) + " " + lookup.dataset.keep);
      const name = form.querySelector("#a-name");
      if (!name.value) name.value = r.name;
      if (r.licences.length) lines.push(fill(lookup.dataset.licences, { list: r.licences.map((l) => l.kind + " " + l.number).join("、") }));
      for (const e of r.exempt) {
        const select = form.querySelector("select[name=m" + e.position + "]");
        const note = form.querySelector("input[name=n" + e.position + "]");
        if (select) select.value = "provided";
        if (note && !note.value) note.value = e.note;
      }
      if (r.exempt.length) lines.push(fill(lookup.dataset.exempt, { list: r.exempt.map((e) => e.position).join("、") }));
    } else {
      lines.push(lookup.dataset.new);
    }
    lookup.textContent = lines.join(" ");
    lookup.hidden = false;
  };
  id.addEventListener("input", ask);
  id.addEventListener("change", ask);
  if (id.value) ask();
}

// 分屏: what the clerk types goes to the screen facing the visitor at their window, and the
// visitor's answer comes back here. Nothing happens for a clerk not signed in at a window.
const mirrorStatus = document.getElementById("mirror-status");
if (mirrorStatus) {
  const form = mirrorStatus.closest("form");
  const token = form.querySelector("input[name=_csrf]")?.value;
  const draft = () => ({
    itemName: form.dataset.itemName || "",
    name: form.querySelector("#a-name").value.trim(),
    idNumber: form.querySelector("#a-id").value.trim().toUpperCase(),
    phone: form.querySelector("#a-phone").value.trim(),
    materials: [...form.querySelectorAll("select[name^=m]")].map((s) => ({
      name: document.getElementById(s.getAttribute("aria-labelledby"))?.firstChild?.textContent.trim() || "",
      status: s.value,
    })),
  });
  const send = (method, body) => fetch("/desk/mirror", {
    method, credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": token },
    body: body ? JSON.stringify(body) : undefined,
  }).then((r) => (r.ok ? r.json() : null));
  const show = (s) => {
    if (!s || (!s.version && !s.window)) { mirrorStatus.hidden = true; return; }
    mirrorStatus.hidden = false;
    mirrorStatus.textContent = s.confirmed ? mirrorStatus.dataset.confirmed : s.disputed ? mirrorStatus.dataset.disputed : mirrorStatus.dataset.waiting;
    mirrorStatus.className = "lookup mirror " + (s.confirmed ? "ok" : s.disputed ? "bad" : "");
  };
  let timer;
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => send("PUT", draft()).then(show), 600); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(() => send("PUT", draft()).then(show), 300); });
  setInterval(() => send("GET").then(show), 2000);
}

// A period form shows the inputs its kind uses: a day in the period, or a range's two ends.
for (const kind of document.querySelectorAll("select[data-period-kind]")) {
  const form = kind.closest("form");
  const sync = () => {
    const range = kind.value === "range";
    form.querySelectorAll(".period-date").forEach((e) => { e.hidden = range; });
    form.querySelectorAll(".period-range").forEach((e) => { e.hidden = !range; });
  };
  kind.addEventListener("change", sync);
  sync();
}
