// 分屏 on the window's evaluator: what the clerk at this window is entering, for the visitor to
// check and confirm (or say it is wrong). The server keeps only the latest draft of the window;
// an answer names the version it saw, so a change after it is asked about again.
export function mirrorScreen({ api, show, windowID, zh, busy }) {
  let shownVersion = null;
  const labels = document.getElementById("mc-status").innerHTML.split("|");
  const statusLabel = (s) => ({ provided: labels[0], missing: labels[1], defective: labels[2], not_applicable: labels[3] })[s] || labels[4];
  const done = (confirmed) => {
    document.getElementById("mc-done").hidden = !confirmed;
    document.getElementById("mc-buttons").hidden = confirmed;
  };
  const refresh = async () => {
    if (busy()) return;
    const [d] = await api("GET", "/api/v1/windows/" + windowID + "/mirror", undefined, { device: true });
    if (!d) {
      if (shownVersion !== null) { shownVersion = null; show("ev-idle"); }
      return;
    }
    if (d.version === shownVersion) return;
    shownVersion = d.version;
    for (const [id, v] of [["mc-item", d.itemName], ["mc-name", d.name], ["mc-id", d.idNumber], ["mc-phone", d.phone]]) {
      document.getElementById(id).textContent = v || "—";
    }
    document.getElementById("mc-materials").replaceChildren(...d.materials.map((m) => {
      const li = document.createElement("li");
      li.textContent = m.name + (zh ? "：" : ": ") + statusLabel(m.status);
      return li;
    }));
    done(d.confirmed);
    show("ev-check");
  };
  const answer = async (confirmed) => {
    try {
      await api("POST", "/api/v1/windows/" + windowID + "/mirror/answer", { version: shownVersion, confirmed }, { device: true });
    } catch (e) {
      console.error(e);
      shownVersion = null; // changed meanwhile: show the new draft
      return;
    }
    done(confirmed);
  };
  document.getElementById("mc-yes").addEventListener("click", () => answer(true));
  document.getElementById("mc-no").addEventListener("click", () => { answer(false); document.getElementById("mc-buttons").hidden = false; });
  setInterval(refresh, 2000);
}
