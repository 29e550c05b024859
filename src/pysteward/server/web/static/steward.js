// Steward console: a little plain JavaScript, progressive; every page works without it.
"use strict";

// Incident timers: <span class="timer" data-due="ISO" data-warn="ISO"> counts down each second and
// takes the class "ok", "warning" (past data-warn) or "breached" (past data-due).
function stewardFormat(seconds) {
  const sign = seconds < 0 ? "overdue " : "";
  let s = Math.abs(Math.round(seconds));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d) return `${sign}${d} d ${h} h`;
  if (h) return `${sign}${h} h ${String(m).padStart(2, "0")} min`;
  if (m) return `${sign}${m} min ${String(s).padStart(2, "0")} s`;
  return `${sign}${s} s`;
}

function stewardTick() {
  const now = Date.now();
  for (const el of document.querySelectorAll(".timer[data-due]")) {
    if (el.dataset.running !== "true") continue;  // a paused or met timer shows its frozen text
    const due = Date.parse(el.dataset.due);
    const warn = el.dataset.warn ? Date.parse(el.dataset.warn) : due;
    el.textContent = stewardFormat((due - now) / 1000);
    const state = now >= due ? "breached" : now >= warn ? "warning" : "ok";
    el.classList.remove("ok", "warning", "breached");
    el.classList.add(state);
  }
}

// Filter forms with data-autosubmit submit when a select changes.
function stewardAutosubmit() {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    for (const select of form.querySelectorAll("select")) {
      select.addEventListener("change", () => form.submit());
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  stewardAutosubmit();
  stewardTick();
  setInterval(stewardTick, 1000);
});
