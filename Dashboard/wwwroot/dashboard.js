// The RayGen dashboard: one Server-Sent Event stream (/api/events) carries the overview, the recent tasks, actors and
// workers; the objects, the timeline and a worker's log are fetched from the JSON API while their tab is open.
(function () {
  "use strict";
  let current = "overview";
  let last = null;

  const $ = (id) => document.getElementById(id);
  const text = (v) => (v === null || v === undefined ? "" : String(v));
  const esc = (v) => text(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const bytes = (n) => {
    if (n === null || n === undefined) return "-";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  };
  const num = (n) => (Math.round(n * 100) / 100).toString();
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");
  const duration = (t) => {
    if (!t.started_at) return "";
    const end = t.ended_at ? new Date(t.ended_at) : new Date();
    return ((end - new Date(t.started_at)) / 1000).toFixed(3) + " s";
  };

  function rows(tableId, items, render) {
    const body = $(tableId).querySelector("tbody");
    body.innerHTML = items.map(render).join("");
  }

  function states(id, counts) {
    const entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
    $(id).innerHTML = entries.length === 0
      ? '<span class="state">none</span>'
      : entries.map(([s, n]) => `<span class="state s-${esc(s)}" data-state="${esc(s)}">${esc(s)}: <b>${n}</b></span>`).join("");
  }

  function render(o) {
    last = o;
    $("node-count").textContent = o.nodes.length;
    $("cpus").textContent = `${num(o.cpus_used)} / ${num(o.cpus_total)}`;
    $("store").textContent = o.object_store ? `${bytes(o.object_store.used)} / ${bytes(o.object_store.capacity)}` : "in process";
    $("worker-count").textContent = o.workers.filter((w) => w.worker_type === "WORKER" && w.is_alive).length;
    rows("nodes-table", o.nodes, (n) => `<tr data-node="${esc(n.node_id)}"><td>${esc(n.node_id.substring(0, 12))}</td><td>${esc(n.address)}</td>` +
      `<td>${n.is_head ? "yes" : ""}</td><td>${n.is_alive ? "yes" : "no"}</td>` +
      `<td>${esc(Object.entries(n.resources).map(([k, v]) => k === "object_store_memory" ? `${k}: ${bytes(v)}` : `${k}: ${num(v)}`).join(", "))}</td></tr>`);
    states("task-states", o.tasks_by_state);
    states("task-states-2", o.tasks_by_state);
    states("actor-states", o.actors_by_state);
    rows("tasks-table", o.tasks.slice().reverse(), (t) => `<tr data-task="${esc(t.task_id)}" data-state="${esc(t.state)}"><td>${esc(t.task_id)}</td>` +
      `<td>${esc(t.name)}</td><td><span class="state s-${esc(t.state)}">${esc(t.state)}</span></td><td>${esc(t.type)}</td>` +
      `<td>${esc(t.worker_pid)}</td><td>${time(t.submitted_at)}</td><td>${duration(t)}</td>` +
      `<td class="error">${esc(t.error_type ? t.error_type + ": " + text(t.error_message) : "")}</td></tr>`);
    rows("actors-table", o.actors, (a) => `<tr data-actor="${esc(a.actor_id)}" data-state="${esc(a.state)}"><td>${esc(a.actor_id)}</td>` +
      `<td>${esc(a.class_name)}</td><td>${esc(a.name)}</td><td><span class="state s-${esc(a.state)}">${esc(a.state)}</span></td>` +
      `<td>${esc(a.pid)}</td><td>${a.num_restarts}</td><td class="error">${esc(a.death_cause)}</td></tr>`);
    workers(o.workers);
    refreshTab();
  }

  function workers(list) {
    const select = $("log-worker");
    const chosen = select.value;
    const options = list.filter((w) => w.worker_type === "WORKER").map((w) =>
      `<option value="${w.pid}">pid ${w.pid}${w.actor_id ? " (actor " + esc(w.actor_id) + ")" : ""}${w.is_alive ? "" : " (gone)"}</option>`);
    const html = options.join("");
    if (select.dataset.html !== html) {
      select.innerHTML = html;
      select.dataset.html = html;
      if (chosen) select.value = chosen;
    }
  }

  async function json(path) {
    const response = await fetch(path, { credentials: "same-origin" });
    if (!response.ok) throw new Error(path + ": " + response.status);
    return response.json();
  }

  async function refreshTab() {
    try {
      if (current === "objects") {
        const objects = await json("api/objects?limit=500");
        rows("objects-table", objects, (b) => `<tr><td>${esc(b.object_id)}</td><td>${b.size_bytes === null ? "" : bytes(b.size_bytes)}</td>` +
          `<td>${esc(b.location)}</td><td>${esc(b.task_id)}</td><td>${esc(b.pins)}</td></tr>`);
      } else if (current === "timeline") {
        timeline(await json("api/timeline"));
      } else if (current === "logs") {
        const pid = $("log-worker").value;
        if (pid) {
          const log = await json("api/logs?pid=" + encodeURIComponent(pid));
          const pre = $("log-lines");
          const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
          pre.textContent = log.lines.join("\n");
          if (atEnd) pre.scrollTop = pre.scrollHeight;
        }
      }
    } catch (e) {
      console.warn(e);
    }
  }

  function timeline(events) {
    const spans = events.filter((e) => e.ph === "X");
    const names = {};
    events.filter((e) => e.ph === "M").forEach((e) => { names[e.pid] = e.args.name; });
    const view = $("timeline-view");
    if (spans.length === 0) { view.innerHTML = '<p class="hint">Nothing has finished yet.</p>'; return; }
    const start = Math.min(...spans.map((e) => e.ts));
    const end = Math.max(...spans.map((e) => e.ts + e.dur));
    const width = Math.max(1, end - start);
    const lanes = new Map();
    for (const e of spans) {
      const key = e.pid + ":" + e.tid;
      if (!lanes.has(key)) lanes.set(key, { label: (names[e.pid] || "pid " + e.pid) + (e.tid ? " #" + e.tid : ""), events: [] });
      lanes.get(key).events.push(e);
    }
    let html = "";
    for (const lane of [...lanes.values()].sort((a, b) => a.label.localeCompare(b.label))) {
      html += `<div class="lane"><div class="who">${esc(lane.label)}</div><div class="track">`;
      for (const e of lane.events) {
        const left = ((e.ts - start) / width) * 100;
        const w = (e.dur / width) * 100;
        const failed = e.args && e.args.state === "FAILED" ? " failed" : "";
        html += `<div class="bar ${esc(e.cat)}${failed}" style="left:${left}%;width:${w}%" title="${esc(e.name)} ${esc(e.args && e.args.task_id)} ${(e.dur / 1000).toFixed(2)} ms"></div>`;
      }
      html += "</div></div>";
    }
    html += `<div class="axis">${(width / 1e6).toFixed(3)} s from ${(start / 1e6).toFixed(3)} s after Init</div>`;
    view.innerHTML = html;
  }

  document.querySelectorAll("#tabs button").forEach((button) => button.addEventListener("click", () => {
    current = button.dataset.tab;
    document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b === button));
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.id === current));
    refreshTab();
  }));
  $("log-worker").addEventListener("change", refreshTab);

  const source = new EventSource("api/events");
  source.onopen = () => { $("live").className = "online"; $("live").textContent = "live"; };
  source.onerror = () => { $("live").className = "offline"; $("live").textContent = "disconnected"; };
  source.onmessage = (m) => render(JSON.parse(m.data));
})();
