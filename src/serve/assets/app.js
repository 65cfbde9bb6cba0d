// peacesim dashboard: plain JavaScript, no libraries, everything served by the binary.
"use strict";

const PILLARS = ["protection", "health", "economic", "empowerment"];
const $ = (id) => document.getElementById(id);
let scenarios = [];
let current = null;       // the selected scenario's info
let runId = null;         // the run in progress or shown
let polling = null;

// This browser's session: a random id kept in localStorage and sent with every API request, so
// that the server knows which runs are this client's (another client's runs are never touched).
const SESSION = (() => {
  const key = "peacesim-session";
  let id = null;
  try { id = localStorage.getItem(key); } catch (e) { /* storage disabled: one id per page */ }
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try { localStorage.setItem(key, id); } catch (e) { /* as above */ }
  }
  return id;
})();

function api(path, options = {}) {
  return fetch(path, { ...options, headers: { ...(options.headers || {}), "X-Peacesim-Session": SESSION } });
}

// "queued: 3rd in line" or "running: 4 of 14 runs".
function describeState(j) {
  if (j.state === "queued" && j.position) {
    return `queued: ${ordinal(j.position)} in line (${j.running} of ${j.slots} runs going)`;
  }
  return `${j.state}: ${j.done} of ${j.total} runs`;
}

function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] || "th";
  return `${n}${suffix}`;
}

function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString("en-US");
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return "0";
  return x.toPrecision(3);
}

function pct(x) {
  if (x === null || x === undefined) return "–";
  const v = 100 * x;
  const s = Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1);
  return (v > 0 ? "+" : "") + s + " %";
}

// ---- controls ---------------------------------------------------------------------------

function weightSliders() {
  const box = $("weights");
  box.innerHTML = "";
  for (const p of PILLARS) {
    const row = document.createElement("div");
    row.className = "slider";
    row.innerHTML = `<label for="w-${p}">${p}</label>
      <input id="w-${p}" type="range" min="0" max="1" step="any">
      <span id="w-${p}-value"></span>`;
    box.appendChild(row);
    row.querySelector("input").addEventListener("input", (e) => rebalance(p, Number(e.target.value)));
  }
}

// Keeps the weights summing to 1: the others share what is left in proportion to their values.
function rebalance(changed, value) {
  const others = PILLARS.filter((p) => p !== changed);
  const rest = 1 - value;
  const sum = others.reduce((s, p) => s + Number($(`w-${p}`).value), 0);
  for (const p of others) {
    const v = sum > 0 ? (Number($(`w-${p}`).value) / sum) * rest : rest / others.length;
    $(`w-${p}`).value = v;
  }
  $(`w-${changed}`).value = value;
  showWeights();
  settingsChanged();
}

function weights() {
  const w = {};
  for (const p of PILLARS) w[p] = Math.round(Number($(`w-${p}`).value) * 1000) / 1000;
  // Rounding must not break the sum: the largest absorbs the remainder.
  const sum = PILLARS.reduce((s, p) => s + w[p], 0);
  const top = PILLARS.reduce((a, b) => (w[a] >= w[b] ? a : b));
  w[top] = Math.round((w[top] + 1 - sum) * 1000) / 1000;
  return w;
}

function showWeights() {
  const w = weights();
  for (const p of PILLARS) $(`w-${p}-value`).textContent = w[p].toFixed(2);
  // Under bottom-up allocation communities set the pillar split; the weights do nothing.
  const bottomUp = $("allocation").value === "bottom_up";
  for (const p of PILLARS) $(`w-${p}`).disabled = bottomUp;
  $("weights").title = bottomUp ? "Not used under bottom-up allocation: communities set the split" : "";
  $("weights").classList.toggle("unused", bottomUp);
}

function leverControls() {
  const box = $("levers");
  box.innerHTML = "";
  current.levers.forEach((l, i) => {
    const row = document.createElement("div");
    row.innerHTML = `<label for="lever-${i}">${l.label}</label>
      <input id="lever-${i}" type="number" min="${l.min}" max="${l.max}" step="${l.step}" value="${l.value}">`;
    box.appendChild(row);
    row.querySelector("input").addEventListener("input", settingsChanged);
  });
}

function selectScenario(name) {
  current = scenarios.find((s) => s.name === name);
  $("description").textContent = current.description;
  $("narrative").textContent = current.narrative;
  resetControls();
}

function resetControls() {
  // A bottom-up scenario has no weights: start the sliders from an even split.
  for (const p of PILLARS) $(`w-${p}`).value = current.weights[p] ?? 1 / PILLARS.length;
  showWeights();
  $("allocation").value = current.allocation;
  $("mandate").value = current.mandate;
  $("seed").value = current.seed;
  leverControls();
  settingsChanged();
}

// What differs from the scenario as it is: the what-if's changes.
function changes() {
  const set = {};
  const w = weights();
  const bottomUp = $("allocation").value === "bottom_up";
  const changed = PILLARS.some((p) => current.weights[p] === undefined || Math.abs(w[p] - current.weights[p]) > 1e-9);
  if (!bottomUp && changed) set["mission.policy.weights"] = w;
  if ($("allocation").value !== current.allocation) set["mission.policy.allocation"] = $("allocation").value;
  if ($("mandate").value !== current.mandate) set["mission.mandate"] = $("mandate").value;
  current.levers.forEach((l, i) => {
    const raw = $(`lever-${i}`).value;
    const v = Number(raw);
    if (raw !== "" && v !== l.value) set[l.path] = v;
  });
  return set;
}

function settingsChanged() {
  // A run for other settings is no longer what the page shows: stop it.
  if (runId !== null && polling !== null) cancel();
  $("output").classList.add("stale");
  $("message").textContent = "";
}

// ---- runs ---------------------------------------------------------------------------------

async function run() {
  $("message").textContent = "";
  const body = {
    scenario: current.name,
    replicates: Number($("replicates").value),
    seed: Number($("seed").value),
    set: changes(),
  };
  const r = await api("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) {
    $("message").textContent = j.error;
    return;
  }
  runId = j.id;
  $("cancel").disabled = false;
  $("run").disabled = true;
  $("progress").hidden = false;
  $("status").textContent = j.position ? `queued: ${ordinal(j.position)} in line` : "running…";
  polling = setInterval(poll, 400);
}

async function cancel() {
  if (runId === null) return;
  const id = runId;
  stopPolling();
  await api(`/api/runs/${id}/cancel`, { method: "POST" });
  $("status").textContent = "cancelled";
}

function stopPolling() {
  if (polling !== null) clearInterval(polling);
  polling = null;
  $("cancel").disabled = true;
  $("run").disabled = false;
  $("progress").hidden = true;
}

// setInterval does not wait for a slow request: without this guard two polls in flight can both
// see "done" and draw the results twice, and the images of the first drawing, removed while
// loading, can leave the second drawing's images waiting forever.
let pollInFlight = false;

async function poll() {
  if (pollInFlight) return;
  pollInFlight = true;
  try {
    await pollOnce();
  } finally {
    pollInFlight = false;
  }
}

async function pollOnce() {
  const id = runId;
  const r = await api(`/api/runs/${id}`);
  if (!r.ok || id !== runId || polling === null) return;
  const j = await r.json();
  if (id !== runId || polling === null) return;
  $("progress").max = Math.max(1, j.total);
  $("progress").value = j.done;
  $("status").textContent = describeState(j);
  if (j.state === "running" || j.state === "queued") return;
  stopPolling();
  if (j.state === "done") show(id, j.result);
  else if (j.state === "failed") $("message").textContent = j.error;
  else $("status").textContent = j.state;
}

function fileUrl(id, name) {
  return `/api/runs/${id}/files/${encodeURIComponent(name)}`;
}

function show(id, res) {
  $("placeholder").hidden = true;
  $("output").hidden = false;
  $("output").classList.remove("stale");
  $("result-title").textContent = res.title;
  const tbody = $("table").querySelector("tbody");
  tbody.innerHTML = "";
  for (const row of res.rows) {
    const tr = document.createElement("tr");
    const noise = row.verdict === "within noise";
    const change = row.relative_change === null
      ? `${fmt(row.difference)} (${fmt(row.difference_low)} to ${fmt(row.difference_high)})`
      : `${pct(row.relative_change)} (${pct(row.relative_low)} to ${pct(row.relative_high)})`;
    const unit = row.unit ? ` <span class="muted">(${row.unit})</span>` : "";
    tr.dataset.outcome = row.outcome;
    tr.dataset.asIs = String(row.as_is);
    tr.dataset.whatIf = String(row.what_if);
    tr.innerHTML = `<td>${row.label}${unit}</td><td class="as-is">${fmt(row.as_is)}</td>
      <td class="what-if">${fmt(row.what_if)}</td><td class="${noise ? "noise" : ""}">${change}</td>
      <td class="verdict">${row.verdict}</td>`;
    tbody.appendChild(tr);
  }
  $("ci-note").textContent = `Means over ${res.replicates} replicate pairs (master seed ${res.seed}); ` +
    "95 % confidence intervals of the change from a paired bootstrap; \"within noise\" when the interval of the difference includes zero.";
  $("command").textContent = res.command;
  const figs = $("figures");
  figs.innerHTML = "";
  const wanted = [
    ["figures/whatif.svg", "The headline series and the relative change of every outcome"],
    ["figures/compare-civilian_fatalities_cumulative.svg", "Civilian fatalities, both arms, with 95 % bands"],
    ["figures/compare-epidemic_deaths_cumulative.svg", "Epidemic deaths, both arms, with 95 % bands"],
    ["figures/compare-displaced.svg", "Displaced people, both arms"],
    ["figures/compare-af_m0.svg", "Human insecurity M0, both arms"],
    ["figures/compare-trust_in_mission.svg", "Trust in the mission, both arms"],
    ["run-as-is/figures/human-security.svg", "Human-security panel, as is (one run)"],
    ["run-what-if/figures/human-security.svg", "Human-security panel, what if (same seed)"],
    ["run-as-is/figures/map-af_m0.svg", "Map, as is: M0 by locality at the end"],
    ["run-what-if/figures/map-af_m0.svg", "Map, what if: M0 by locality at the end"],
  ];
  for (const [name, caption] of wanted) {
    if (!res.files.includes(name)) continue;
    const f = document.createElement("figure");
    f.innerHTML = `<img src="${fileUrl(id, name)}" alt="${caption}"><figcaption>${caption}</figcaption>`;
    figs.appendChild(f);
  }
  const dl = $("downloads");
  dl.innerHTML = "";
  for (const name of res.files.filter((n) => !n.startsWith("run-") || n.endsWith(".svg"))) {
    const li = document.createElement("li");
    li.innerHTML = `<a href="${fileUrl(id, name)}" download>${name}</a>`;
    dl.appendChild(li);
  }
  $("status").textContent = "done";
}

// ---- start --------------------------------------------------------------------------------

async function init() {
  weightSliders();
  const r = await fetch("/api/scenarios");
  scenarios = await r.json();
  const sel = $("scenario");
  for (const s of scenarios) {
    const o = document.createElement("option");
    o.value = s.name;
    o.textContent = `${s.title}`;
    sel.appendChild(o);
  }
  sel.addEventListener("change", () => selectScenario(sel.value));
  for (const id of ["allocation", "mandate", "replicates", "seed"]) $(id).addEventListener("input", settingsChanged);
  $("allocation").addEventListener("input", showWeights);
  $("run").addEventListener("click", run);
  $("cancel").addEventListener("click", cancel);
  $("reset").addEventListener("click", resetControls);
  selectScenario(sel.value);
  document.body.dataset.ready = "true";
}

init();
