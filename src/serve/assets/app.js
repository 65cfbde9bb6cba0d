// peacesim dashboard: plain JavaScript, no libraries, everything served by the binary.
"use strict";

const PILLARS = ["protection", "health", "economic", "empowerment"];
const $ = (id) => document.getElementById(id);
let scenarios = [];
let current = null;       // the selected scenario's info
let runId = null;         // this browser's latest run (going, or ended)
let shownId = null;       // the run whose result is shown
let polling = null;       // the next poll's timer while runId goes

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

// An axis label: at most three significant digits, no trailing zeros.
function fmtTick(x) {
  if (Math.abs(x) >= 1000) return fmt(x);
  return String(Number(x.toPrecision(3)));
}

function pct(x) {
  if (x === null || x === undefined) return "–";
  const v = 100 * x;
  const s = Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1);
  return (v > 0 ? "+" : "") + s + " %";
}

// ---- controls ---------------------------------------------------------------------------

// The policy weights, in integer thousandths that always sum to 1000: what is shown and what is
// sent are these divided by 1000, so 0.3/0.5/0.1/0.1 is exact and the sum is never 1.01.
const milli = {};
// Pillars in the order they were last set, most recent last.
let setOrder = [];

function weightControls() {
  const box = $("weights");
  box.innerHTML = "";
  for (const p of PILLARS) {
    const row = document.createElement("div");
    row.className = "slider";
    row.innerHTML = `<label for="w-${p}-number">${p}</label>
      <input id="w-${p}" type="range" min="0" max="1" step="0.001" aria-label="${p} weight (slider)">
      <input id="w-${p}-number" type="number" min="0" max="1" step="0.001" inputmode="decimal">`;
    box.appendChild(row);
    // The slider moves the weight as it is dragged; a typed number counts once it is complete
    // (Enter, Tab or leaving the field), so that "0." on the way to "0.3" moves nothing.
    $(`w-${p}`).addEventListener("input", (e) => weightSet(p, Number(e.target.value)));
    $(`w-${p}-number`).addEventListener("change", (e) => {
      const typed = e.target.value.trim().replace(",", ".");
      if (typed === "" || !Number.isFinite(Number(typed))) showWeights();
      else weightSet(p, Number(typed));
    });
  }
}

function weightSet(pillar, value) {
  setWeight(pillar, Math.round(value * 1000));
  showWeights();
  settingsChanged();
}

// Sets one weight (thousandths, clamped to [0, 1000]). The others make room: those set most
// recently keep their values while they fit beside it (at least one other must give way), so
// that typing the weights one after another reaches exactly what was typed; the rest share what
// is left in proportion to their values (equally if all are 0), in whole thousandths, the last
// of them absorbing the rounding.
function setWeight(changed, thousandths) {
  const value = Math.min(1000, Math.max(0, thousandths));
  setOrder = setOrder.filter((p) => p !== changed).concat([changed]);
  const others = PILLARS.filter((p) => p !== changed);
  const recentFirst = setOrder.filter((p) => p !== changed).reverse();
  const kept = [];
  let keptSum = 0;
  for (const p of recentFirst) {
    if (kept.length === others.length - 1 || value + keptSum + milli[p] > 1000) break;
    kept.push(p);
    keptSum += milli[p];
  }
  const sharing = others.filter((p) => !kept.includes(p));
  const rest = 1000 - value - keptSum;
  const base = sharing.reduce((s, p) => s + milli[p], 0);
  let given = 0;
  sharing.forEach((p, i) => {
    if (i === sharing.length - 1) {
      milli[p] = rest - given;
    } else {
      milli[p] = Math.floor(base > 0 ? (rest * milli[p]) / base : rest / sharing.length);
      given += milli[p];
    }
  });
  milli[changed] = value;
}

// The scenario's weights in thousandths (an even split if it has none), the last pillar
// absorbing any rounding so that they sum to 1000.
function resetWeights() {
  const given = PILLARS.every((p) => current.weights[p] !== undefined);
  let sum = 0;
  for (const p of PILLARS) {
    milli[p] = given ? Math.round(current.weights[p] * 1000) : 250;
    sum += milli[p];
  }
  milli[PILLARS[PILLARS.length - 1]] += 1000 - sum;
  setOrder = [];
}

function weights() {
  const w = {};
  for (const p of PILLARS) w[p] = milli[p] / 1000;
  return w;
}

function showWeights() {
  for (const p of PILLARS) {
    $(`w-${p}`).value = String(milli[p] / 1000);
    $(`w-${p}-number`).value = (milli[p] / 1000).toFixed(3);
  }
  const sum = PILLARS.reduce((s, p) => s + milli[p], 0);
  $("weights-sum").textContent = (sum / 1000).toFixed(3);
}

// One number field per lever, in its box: the mission's, each protection site's (labelled with
// its locality) and the scenario's own; each with a line for why it is disabled, when it is.
function leverControls() {
  const boxes = { mission: $("mission-levers"), site: $("site-levers"), scenario: $("story-levers") };
  for (const box of Object.values(boxes)) box.innerHTML = "";
  current.levers.forEach((l, i) => {
    const row = document.createElement("div");
    row.className = "lever";
    row.innerHTML = `<label for="lever-${i}">${l.label}</label>
      <input id="lever-${i}" type="number" min="${l.min}" max="${l.max}" step="${l.step}" value="${l.value}">
      <p id="lever-${i}-reason" class="reason" hidden></p>`;
    row.dataset.path = l.path;
    boxes[l.group].appendChild(row);
    $(`lever-${i}`).addEventListener("input", settingsChanged);
  });
  $("story-box").hidden = $("story-levers").children.length === 0;
}

function selectScenario(name) {
  current = scenarios.find((s) => s.name === name);
  $("description").textContent = current.description;
  $("narrative").textContent = current.narrative;
  resetControls();
}

function resetControls() {
  resetWeights();
  showWeights();
  $("allocation").value = current.allocation;
  setBlend(current.blend_share);
  $("mandate").value = current.mandate;
  $("seed").value = current.seed;
  $("ticks").value = current.ticks;
  $("ticks").max = current.ticks_max;
  const days = (t) => `${Number((t * current.tick_length_days).toFixed(2))} days`;
  $("ticks-hint").textContent = `As is: ${current.ticks} ticks (${days(current.ticks)}); from 1 to ${current.ticks_max} here.`;
  leverControls();
  updateLevers();
  settingsChanged();
}

function setBlend(value) {
  const v = Math.min(1, Math.max(0, Math.round(value * 1000) / 1000));
  $("blend").value = String(v);
  $("blend-number").value = String(v);
}

function blendShare() {
  return Number($("blend").value);
}

// The run length asked for, or null with the reason in #ticks-error when it is not a whole
// number of ticks within what the dashboard runs for this scenario.
function runTicks() {
  const raw = $("ticks").value.trim();
  const t = Number(raw);
  const ok = raw !== "" && Number.isInteger(t) && t >= 1 && t <= current.ticks_max;
  $("ticks-error").hidden = ok;
  $("ticks-error").textContent = ok ? "" : `Ticks must be a whole number from 1 to ${current.ticks_max} for this scenario.`;
  $("ticks").classList.toggle("invalid", !ok);
  return ok ? t : null;
}

// The first of the scenario's mandate changes within the run that sets `field`.
function laterChange(field) {
  const ticks = runTicks() ?? current.ticks;
  return current.policy_changes.find((c) => c.sets.includes(field) && c.tick <= ticks);
}

// Disables a control (or several) and shows why, in words on the page, not only in a tooltip.
function disable(controls, reasonId, why) {
  for (const c of controls) c.disabled = why !== "";
  const reason = $(reasonId);
  reason.textContent = why;
  reason.hidden = why === "";
}

function leverIndex(path) {
  return current.levers.findIndex((l) => l.path === path);
}

// Which levers do something under the chosen allocation and mandate (phases/planning.rs and
// phases/conflict.rs): a lever that does nothing is disabled, with the reason shown, and is not
// sent. A mandate change the scenario schedules within the run can switch the allocation or the
// mandate later, so the levers it makes matter stay enabled then.
function updateLevers() {
  const allocation = $("allocation").value;
  const allocationLater = laterChange("allocation");
  let why = "";
  if (!allocationLater && allocation === "bottom_up") {
    why = "Not used under bottom-up allocation: the budget follows the needs residents voice " +
      "(the weights would count only if nobody voiced any need).";
  } else if (!allocationLater && allocation === "blend" && blendShare() === 1) {
    why = "Not used with a blend share of 1: that is bottom-up allocation, where the needs " +
      "residents voice set the split.";
  }
  const weightInputs = PILLARS.flatMap((p) => [$(`w-${p}`), $(`w-${p}-number`)]);
  disable(weightInputs, "weights-reason", why);
  $("weights-box").classList.toggle("unused", why !== "");
  note("weights-note", laterChange("weights"), "weights");

  disable([$("blend"), $("blend-number")], "blend-reason",
    allocation === "blend" || allocationLater ? "" : "Used only under blend allocation: choose \u201cblend of the two\u201d above.");

  const posture = leverIndex("mission.posture_share");
  if (posture >= 0) {
    const observerOnly = $("mandate").value === "observer" && !current.observer_mandate_deters && !laterChange("mandate");
    disable([$(`lever-${posture}`)], `lever-${posture}-reason`, observerOnly
      ? "No effect under an observer mandate: observers do not deter (their deterrence factor is 0 in this scenario) and do not fight."
      : "");
    const later = laterChange("posture");
    if (!observerOnly && later) {
      const r = $(`lever-${posture}-reason`);
      r.hidden = false;
      r.className = "note";
      r.textContent = `From day ${later.day} the scenario's own mandate change sets the posture: yours applies until then.`;
    } else {
      $(`lever-${posture}-reason`).className = "reason";
    }
  }

  const sites = current.levers.some((l) => l.group === "site");
  $("sites-box").classList.toggle("unused", !sites);
  $("sites-reason").hidden = sites;
  $("sites-reason").textContent = sites ? "" : "This scenario has no protection sites: there is no guard posture to set.";
}

// A visible note when the scenario's own mandate change overrides a setting later in the run.
function note(id, change, what) {
  const el = $(id);
  el.hidden = !change;
  el.textContent = change
    ? `From day ${change.day} (tick ${change.tick}) the scenario's own mandate change sets the ${what}: yours apply until then.`
    : "";
}

// What differs from the scenario as it is: the what-if's changes. Disabled levers do nothing
// and are not sent.
function changes() {
  const set = {};
  const allocation = $("allocation").value;
  if (!$(`w-${PILLARS[0]}`).disabled) {
    const changed = PILLARS.some((p) => current.weights[p] === undefined || milli[p] !== Math.round(current.weights[p] * 1000));
    if (changed) set["mission.policy.weights"] = weights();
  }
  if (allocation !== current.allocation) set["mission.policy.allocation"] = allocation;
  if (allocation === "blend" && (current.allocation !== "blend" || blendShare() !== current.blend_share)) {
    set["mission.policy.blend_share"] = blendShare();
  }
  if ($("mandate").value !== current.mandate) set["mission.mandate"] = $("mandate").value;
  current.levers.forEach((l, i) => {
    const input = $(`lever-${i}`);
    const v = Number(input.value);
    if (!input.disabled && input.value !== "" && v !== l.value) set[l.path] = v;
  });
  return set;
}

// The request the current settings make (what-if or as is); null when the run length is invalid.
function requestBody(asIs) {
  const ticks = runTicks();
  if (ticks === null) return null;
  const body = {
    scenario: current.name,
    replicates: Number($("replicates").value),
    seed: Number($("seed").value),
  };
  if (ticks !== current.ticks) body.ticks = ticks;
  if (asIs) body.mode = "as_is";
  else body.set = changes();
  return body;
}

// The settings of the run shown (or going): its request, as sent.
let shownRequest = null;

// A touched control never stops a run nor greys what is shown: the run goes on (only Cancel or
// a new run of this browser stops it) and what is shown is marked as being from the previous
// settings, until the settings are those of the run again.
function settingsChanged() {
  $("message").textContent = "";
  markStale();
}

function markStale() {
  const note = $("stale-note");
  if (!shownRequest || !current) { note.hidden = true; return; }
  const now = requestBody(shownRequest.mode === "as_is");
  const same = now !== null && JSON.stringify(now) === JSON.stringify(shownRequest);
  note.hidden = same;
  note.textContent = same ? "" : (polling !== null
    ? "Your settings have changed since this run started: it goes on with the previous settings (Cancel stops it; Run starts one with yours)."
    : "Shown: the result for the previous settings. Run again to see yours.");
}

// ---- runs ---------------------------------------------------------------------------------

// Polls: once a second while a run goes, every two seconds while it waits in line (twenty
// browsers polling once a second are twenty small requests a second; see the load test).
const POLL_RUNNING_MS = 1000;
const POLL_QUEUED_MS = 2000;

// Starts a what-if, or with `asIs` the scenario as it is alone. A run of this browser that is
// still going is replaced (the server stops it); nobody else's is touched.
async function run(asIs) {
  $("message").textContent = "";
  const body = requestBody(asIs);
  if (body === null) {
    $("message").textContent = $("ticks-error").textContent;
    return;
  }
  const r = await api("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) {
    $("message").textContent = j.error;
    return;
  }
  stopPolling();
  runId = j.id;
  shownId = null;
  shownRequest = body;
  live = newLive();
  $("cancel").disabled = false;
  $("progress").hidden = false;
  $("progress").removeAttribute("value");
  $("status").textContent = j.position ? `queued: ${ordinal(j.position)} in line` : "running…";
  $("placeholder").hidden = true;
  $("output").hidden = true;
  $("after").hidden = true;
  $("panels").hidden = true;
  $("live").hidden = false;
  $("charts").innerHTML = "";
  $("maps").innerHTML = "";
  $("map-readout").textContent = "";
  markStale();
  polling = setTimeout(poll, 300);
  loadHistory();
}

async function cancel() {
  if (runId === null || polling === null) return;
  const id = runId;
  stopPolling();
  await api(`/api/runs/${id}/cancel`, { method: "POST" });
  $("status").textContent = "cancelled";
  markStale();
  loadHistory();
}

function stopPolling() {
  if (polling !== null) clearTimeout(polling);
  polling = null;
  $("cancel").disabled = true;
  $("progress").hidden = true;
}

// ---- the live view ---------------------------------------------------------------------------

// What the page has of a run's live view: per arm the map run's series and localities' values
// tick by tick, and the ensemble's means (with the half-width of their 95 % intervals).
let live = null;

function newLive() {
  return { meta: null, pair: [], map: [], ensemble: null, version: "none", runs: [] };
}

// Adds what the server sent (only what the page did not have) to `l`.
function mergeLive(l, j) {
  if (!j) return l;
  if (j.arms) l.meta = j;
  j.pair.forEach((p, a) => { l.pair[a] = (l.pair[a] || []).slice(0, p.from).concat(p.rows); });
  j.map.forEach((p, a) => { l.map[a] = (l.map[a] || []).slice(0, p.from).concat(p.rows); });
  if (j.ensemble) l.ensemble = j.ensemble;
  l.version = j.version;
  l.runs = j.runs;
  return l;
}

function liveQuery(l) {
  const since = l.meta ? l.meta.arms.map((_, a) => (l.pair[a] || []).length) : [0, 0];
  return `?live=${since.join(",")}&version=${l.version}`;
}

// Polls are chained (the next is asked for once this one is answered), so a slow answer never
// piles requests up.
async function poll() {
  const id = runId;
  let delay = POLL_RUNNING_MS;
  try {
    const r = await api(`/api/runs/${id}${liveQuery(live)}`);
    if (id !== runId || polling === null) return;
    if (!r.ok) { delay = POLL_QUEUED_MS; return; }
    const j = await r.json();
    if (id !== runId || polling === null) return;
    mergeLive(live, j.live);
    showProgress(j);
    if (j.state === "queued") delay = POLL_QUEUED_MS;
    if (j.state === "running" || j.state === "queued") {
      if (shownId === null) drawLive(live, j.summary, j.state === "running");
      return;
    }
    stopPolling();
    runs[id] = { status: j, live };
    if (j.state === "done") {
      $("status").textContent = "done";
      show(id);
    } else if (j.state === "failed") $("message").textContent = j.error;
    else $("status").textContent = j.state;
    markStale();
    loadHistory();
  } catch (e) {
    delay = POLL_QUEUED_MS;
  } finally {
    if (id === runId && polling !== null) polling = setTimeout(poll, delay);
  }
}

// "running: 37 % (tick 412 of 1,120; 4 of 14 runs)" or "queued: 3rd in line".
function showProgress(j) {
  const bar = $("progress");
  if (j.state === "running" && j.ticks_total > 0) {
    bar.max = j.ticks_total;
    bar.value = j.ticks;
    const share = Math.floor((100 * j.ticks) / j.ticks_total);
    $("status").textContent = j.ticks >= j.ticks_total
      ? "running: 100 %, drawing the table and figures…"
      : `running: ${share} % (${j.done} of ${j.total} runs)`;
  } else {
    bar.removeAttribute("value");
    $("status").textContent = describeState(j);
  }
}

const ARM_COLOURS = ["#0072b2", "#d55e00"];
const SERIES_TITLES = {
  civilian_fatalities_cumulative: "Civilian fatalities, cumulative",
  epidemic_deaths_cumulative: "Epidemic deaths, cumulative",
  displaced: "Displaced people",
  af_m0: "Human insecurity M0",
  trust_in_mission: "Trust in the mission",
};

function armName(a) {
  return a === "what-if" ? "what if" : "as is";
}

// The series of a live view as chart lines: per arm its ensemble's mean with a 95 % band once
// runs have finished, and its map run (thin) while it goes.
function seriesLines(l, k, colours, names, pick) {
  const lines = [];
  l.meta.arms.forEach((arm, a) => {
    if (pick && !pick.includes(a)) return;
    const colour = colours[a];
    const name = names ? names[a] : armName(arm);
    const ens = l.ensemble && l.ensemble[a];
    const runs = l.runs[a] || 0;
    if (ens && ens.mean.length > 0) {
      lines.push({ label: `${name}, mean of ${runs} run${runs === 1 ? "" : "s"}`, colour, width: 2.5,
        values: ens.mean.map((r) => r[k]), half: ens.half.map((r) => r[k]) });
    } else {
      lines.push(null);
    }
    const pair = l.pair[a] || [];
    lines.push({ label: `${name}, one run`, colour, width: 1, dash: "4 3", values: pair.map((r) => r[k]) });
  });
  return lines.filter((x) => x && x.values.length > 0);
}

// Whether a series is worth a chart: some value differs from 0.
function nonZero(lines) {
  return lines.some((ln) => ln.values.some((v) => v !== null && v !== 0));
}

function drawLive(l, summary, running) {
  if (!l.meta) return;
  $("live").hidden = false;
  const note = running
    ? "(drawn as the runs go: dashed, one run of each arm with the same seed; solid, the mean of the runs finished so far with its 95 % band)"
    : "(solid: the mean of every run with its 95 % band; dashed: the one run of each arm drawn on the map)";
  $("live-note").textContent = note;
  drawCharts($("charts"), l.meta, (k) => seriesLines(l, k, ARM_COLOURS), l.meta.ticks);
  const maps = l.meta.arms.map((arm, a) => ({ title: armName(arm), rows: l.map[a] || [] }));
  mapView("map", l.meta, maps, running);
}

// One chart per series that is not 0 throughout, in a grid.
function drawCharts(box, meta, linesOf, ticks) {
  const keep = [];
  meta.series.forEach((name, k) => {
    const lines = linesOf(k);
    if (nonZero(lines)) keep.push([name, k, lines]);
  });
  // Charts are redrawn in place (same element per series), so that a hover readout survives.
  const ids = keep.map(([name]) => `${box.id}-${name}`);
  for (const el of [...box.children]) if (!ids.includes(el.id)) el.remove();
  keep.forEach(([name, k, lines], i) => {
    let fig = document.getElementById(ids[i]);
    if (!fig) {
      fig = document.createElement("figure");
      fig.id = ids[i];
      fig.className = "chart";
      fig.dataset.series = name;
      box.appendChild(fig);
    }
    lineChart(fig, { title: SERIES_TITLES[name] || name, unit: meta.units[k], ticks, days: meta.tick_days, lines });
  });
}

function niceTicks(lo, hi, n) {
  if (!(hi > lo)) hi = lo + 1;
  const step0 = (hi - lo) / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const SVGNS = "http://www.w3.org/2000/svg";
function el(tag, attrs, parent) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

// A line chart in SVG: x in days, each line with an optional 95 % band; hovering shows every
// line's value at that tick below the chart (and the mouse's tick as a vertical line).
function lineChart(fig, spec) {
  const W = 560, H = 250, L = 62, R = 12, T = 12, B = 34;
  const xs = spec.ticks;
  // The axis follows the lines (a band of a few runs can be very wide: it is cut at the plot's
  // edges, and at 0 and 1 for quantities that cannot cross them).
  let lo = Infinity, hi = -Infinity;
  for (const ln of spec.lines) {
    ln.values.forEach((v) => {
      if (v === null) return;
      lo = Math.min(lo, v); hi = Math.max(hi, v);
    });
  }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  lo = Math.min(lo, 0);
  hi += 0.08 * (hi - lo);
  if (hi === lo) hi = lo + 1;
  const share = spec.unit === "share" || spec.unit === "index 0-1";
  if (share) hi = Math.min(hi, 1);
  const yt = niceTicks(lo, hi, 4);
  hi = Math.max(hi, yt[yt.length - 1]);
  const x = (t) => L + ((W - L - R) * t) / Math.max(1, xs);
  const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  fig.innerHTML = "";
  const cap = document.createElement("figcaption");
  cap.innerHTML = `<b>${spec.title}</b> <span class="muted">(${spec.unit})</span>`;
  fig.appendChild(cap);
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": spec.title }, fig);
  for (const v of yt) {
    el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }, svg);
    el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, svg).textContent = fmtTick(v);
  }
  const days = spec.days || 1;
  for (const d of niceTicks(0, xs * days, 5)) {
    const t = d / days;
    el("text", { x: x(t), y: H - B + 16, "text-anchor": "middle", class: "tick" }, svg).textContent = fmtTick(d);
  }
  el("text", { x: (L + W - R) / 2, y: H - 3, "text-anchor": "middle", class: "tick" }, svg).textContent = "day";
  for (const ln of spec.lines) {
    if (ln.half && ln.half.some((h) => h !== null)) {
      const up = [], down = [];
      ln.values.forEach((v, i) => {
        const h = ln.half[i];
        if (v === null || h === null) return;
        const top = Math.min(v + h, share ? 1 : Infinity, hi), bottom = Math.max(v - h, 0, lo);
        up.push(`${x(i).toFixed(1)},${y(top).toFixed(1)}`);
        down.unshift(`${x(i).toFixed(1)},${y(bottom).toFixed(1)}`);
      });
      if (up.length > 1) el("polygon", { points: up.concat(down).join(" "), fill: ln.colour, opacity: 0.15 }, svg);
    }
    const pts = ln.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
    el("polyline", { points: pts.join(" "), fill: "none", stroke: ln.colour, "stroke-width": ln.width,
      "stroke-dasharray": ln.dash || "none" }, svg);
  }
  const cursor = el("line", { x1: 0, x2: 0, y1: T, y2: H - B, class: "cursor", visibility: "hidden" }, svg);
  el("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "transparent", class: "hover" }, svg);
  const legend = document.createElement("p");
  legend.className = "legend";
  legend.innerHTML = spec.lines.map((ln) =>
    `<span><svg width="22" height="8"><line x1="0" x2="22" y1="4" y2="4" stroke="${ln.colour}" stroke-width="${Math.max(2, ln.width)}" stroke-dasharray="${ln.dash || "none"}"/></svg> ${ln.label}</span>`).join(" ");
  fig.appendChild(legend);
  const readout = document.createElement("p");
  readout.className = "readout";
  readout.textContent = "Hover over the chart for the values.";
  fig.appendChild(readout);
  svg.addEventListener("mousemove", (e) => {
    const box = svg.getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * W;
    const t = Math.max(0, Math.min(xs, Math.round(((px - L) / (W - L - R)) * xs)));
    cursor.setAttribute("x1", x(t)); cursor.setAttribute("x2", x(t));
    cursor.setAttribute("visibility", "visible");
    const parts = spec.lines.map((ln) => {
      const v = ln.values[t];
      const h = ln.half ? ln.half[t] : null;
      return `${ln.label}: ${fmt(v)}${h !== null && h !== undefined ? ` ± ${fmt(h)}` : ""}`;
    });
    readout.textContent = `Day ${fmt(t * days)} (tick ${t}): ${parts.join("; ")}`;
  });
  svg.addEventListener("mouseleave", () => cursor.setAttribute("visibility", "hidden"));
}

// A colour for a share of the scale (0 to 1): light yellow to dark purple (viridis-like; reads in
// grey and for the common colour-vision deficiencies).
const STOPS = [[253, 231, 37], [94, 201, 98], [33, 145, 140], [59, 82, 139], [68, 1, 84]];
function colourOf(s) {
  const v = Math.max(0, Math.min(1, Number.isFinite(s) ? s : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(v));
  const f = v - i;
  const c = STOPS[i].map((a, k) => Math.round(a + f * (STOPS[i + 1][k] - a)));
  return `rgb(${c.join(",")})`;
}

// Map views by prefix ("map" for the run, "compare" for two runs): their data, for the slider.
const mapViews = {};

// Maps side by side, one per entry of `maps` ({title, rows: tick -> locality values}), on one
// colour scale (0 to the largest value of any map at any tick), with one time slider.
function mapView(prefix, meta, maps, following) {
  const view = mapViews[prefix] || (mapViews[prefix] = { tick: null });
  view.meta = meta;
  view.maps = maps;
  let hi = 0;
  for (const m of maps) for (const r of m.rows) for (const v of r) if (v !== null && v > hi) hi = v;
  view.hi = niceTicks(0, hi > 0 ? hi : 1, 4).pop();
  const last = Math.max(0, ...maps.map((m) => m.rows.length - 1));
  const slider = $(`${prefix}-tick`);
  const atEnd = view.tick === null || Number(slider.value) >= Number(slider.max);
  slider.max = String(last);
  if (following && atEnd) slider.value = String(last);
  else if (view.tick === null) slider.value = String(last);
  view.tick = Number(slider.value);
  drawMaps(prefix);
}

function drawMaps(prefix) {
  const view = mapViews[prefix];
  const { meta, maps } = view;
  const t = Number($(`${prefix}-tick`).value);
  view.tick = t;
  $(`${prefix}-day`).textContent = `day ${fmt(t * meta.tick_days)} (tick ${t})`;
  const box = $(`${prefix}-maps`.replace("map-maps", "maps"));
  const places = meta.localities;
  const xs = places.map((p) => p.x), ys = places.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0, 1);
  const W = 460, pad = 40;
  const k = (W - 2 * pad) / span;
  const H = Math.max(160, (y1 - y0) * k + 2 * pad);
  const maxPop = Math.max(...places.map((p) => p.population), 1);
  const px = (p) => pad + (p.x - x0) * k + ((W - 2 * pad) - (x1 - x0) * k) / 2;
  const py = (p) => H - pad - (p.y - y0) * k - ((H - 2 * pad) - (y1 - y0) * k) / 2;
  const labels = places.length <= 24;
  maps.forEach((m, i) => {
    const id = `${prefix}-map-${i}`;
    let fig = document.getElementById(id);
    if (!fig) {
      fig = document.createElement("figure");
      fig.id = id;
      fig.className = "map";
      box.appendChild(fig);
    }
    while (box.children.length > maps.length) box.lastChild.remove();
    fig.innerHTML = `<figcaption><b>${m.title}</b></figcaption>`;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Map, ${m.title}` }, fig);
    for (const [a, b] of meta.links) {
      el("line", { x1: px(places[a]), y1: py(places[a]), x2: px(places[b]), y2: py(places[b]), class: "link" }, svg);
    }
    const row = m.rows[Math.min(t, m.rows.length - 1)] || [];
    places.forEach((p, j) => {
      const v = row[j];
      const r = 5 + 17 * Math.sqrt(p.population / maxPop);
      const c = el("circle", { cx: px(p), cy: py(p), r, fill: v === undefined || v === null ? "#ddd" : colourOf(v / view.hi),
        stroke: p.site ? "#000" : "#555", "stroke-width": p.site ? 2.5 : 0.8, class: "place" }, svg);
      c.dataset.name = p.name;
      c.dataset.value = v === undefined || v === null ? "" : String(v);
      el("title", {}, c).textContent = `${p.name}: ${fmt(v)}`;
      const say = () => {
        const others = maps.map((mm) => `${mm.title} ${fmt((mm.rows[Math.min(t, mm.rows.length - 1)] || [])[j])}`).join(", ");
        $(`${prefix}-readout`).textContent = `${p.name}${p.site ? " (protection site)" : ""}, day ${fmt(t * meta.tick_days)}: M0 ${others}`;
      };
      c.addEventListener("mouseenter", say);
      c.addEventListener("focus", say);
      if (labels) {
        el("text", { x: px(p), y: py(p) - r - 4, "text-anchor": "middle", class: "place-name" }, svg).textContent = p.name;
      }
    });
  });
  // The one colour scale of every map shown.
  const scale = $(`${prefix}-scale`);
  const ticks = niceTicks(0, view.hi, 4);
  const grad = Array.from({ length: 11 }, (_, i) => `${colourOf(i / 10)} ${i * 10}%`).join(", ");
  scale.innerHTML = `<span>M0 (index 0-1), one colour scale for ${maps.length > 1 ? "both maps" : "the map"}:</span>
    <span class="key"><span class="bar" style="background: linear-gradient(to right, ${grad})"></span>
    <span class="ends">${ticks.map((v) => `<span>${fmtTick(v)}</span>`).join("")}</span></span>
    <span class="muted">Circle size: people; thick ring: a protection site.</span>`;
}

// Plays the map from the first tick to the last.
let playing = null;
function play() {
  if (playing !== null) { clearInterval(playing); playing = null; $("map-play").textContent = "\u25B6 Play"; return; }
  const slider = $("map-tick");
  if (Number(slider.value) >= Number(slider.max)) slider.value = "0";
  $("map-play").textContent = "\u275A\u275A Pause";
  const step = Math.max(1, Math.round(Number(slider.max) / 120));
  playing = setInterval(() => {
    const next = Math.min(Number(slider.max), Number(slider.value) + step);
    slider.value = String(next);
    drawMaps("map");
    if (next >= Number(slider.max)) play();
  }, 80);
}

// ---- results ------------------------------------------------------------------------------------

// Runs the page has fetched in full: id -> { status, live }.
const runs = {};

function fileUrl(id, name) {
  return `/api/runs/${id}/files/${encodeURIComponent(name)}`;
}

// The rows of a result as table cells.
function tableHead(asIs) {
  return asIs
    ? "<tr><th>Outcome</th><th>As is</th><th>95 % CI of the mean</th></tr>"
    : "<tr><th>Outcome</th><th>As is</th><th>What if</th><th>Change (95 % CI)</th><th></th></tr>";
}

function describeChanges(summary) {
  if (!summary) return "";
  if (summary.mode === "as_is") return `${summary.replicates} replicates, ${summary.ticks} ticks, seed ${summary.seed}`;
  const c = summary.changes.length ? summary.changes.join("; ") : "no change";
  return `${c} — ${summary.replicates} pairs, ${summary.ticks} ticks, seed ${summary.seed}`;
}

// Shows a finished run: the table, its series and maps (from its live view), the human-security
// panels, the command and the downloads.
function show(id) {
  const { status, live: l } = runs[id];
  const res = status.result;
  const asIs = res.mode === "as_is";
  shownId = id;
  $("placeholder").hidden = true;
  $("output").hidden = false;
  $("after").hidden = false;
  $("panels").hidden = false;
  $("result-title").textContent = asIs ? `${res.title}: as it is` : `${res.title}: what if`;
  $("result-title").dataset.run = String(id);
  $("result-changes").textContent = `Run ${id}: ${asIs ? "as it is, " : ""}${describeChanges(status.summary)}`;
  $("table").querySelector("thead").innerHTML = tableHead(asIs);
  const tbody = $("table").querySelector("tbody");
  tbody.innerHTML = "";
  for (const row of res.rows) {
    const tr = document.createElement("tr");
    const unit = row.unit ? ` <span class="muted">(${row.unit})</span>` : "";
    tr.dataset.outcome = row.outcome;
    tr.dataset.asIs = String(row.as_is);
    if (asIs) {
      tr.innerHTML = `<td>${row.label}${unit}</td><td class="as-is">${fmt(row.as_is)}</td>
        <td>${fmt(row.as_is_low)} to ${fmt(row.as_is_high)}</td>`;
    } else {
      const noise = row.verdict === "within noise";
      const change = row.relative_change === null
        ? `${fmt(row.difference)} (${fmt(row.difference_low)} to ${fmt(row.difference_high)})`
        : `${pct(row.relative_change)} (${pct(row.relative_low)} to ${pct(row.relative_high)})`;
      tr.dataset.whatIf = String(row.what_if);
      tr.innerHTML = `<td>${row.label}${unit}</td><td class="as-is">${fmt(row.as_is)}</td>
        <td class="what-if">${fmt(row.what_if)}</td><td class="${noise ? "noise" : ""}">${change}</td>
        <td class="verdict">${row.verdict}</td>`;
    }
    tbody.appendChild(tr);
  }
  $("ci-note").textContent = asIs
    ? `Means over ${res.replicates} replicates of ${res.ticks} ticks (master seed ${res.seed}), ` +
      "with the bootstrap 95 % confidence interval of each mean."
    : `Means over ${res.replicates} replicate pairs of ${res.ticks} ticks (master seed ${res.seed}); ` +
      "95 % confidence intervals of the change from a paired bootstrap; \"within noise\" when the interval of the difference includes zero.";
  $("command").textContent = res.command;
  $("charts").innerHTML = "";
  $("maps").innerHTML = "";
  $("map-readout").textContent = "";
  if (l && l.meta) drawLive(l, status.summary, false);
  else $("live").hidden = true;
  $("map-title").textContent = "(human insecurity M0 by locality; drag the slider or press Play)";
  // The human-security panels, one figure each at a readable size; the series and maps are
  // drawn above from the runs' numbers (one chart per indicator), their static figures with
  // bands are among the downloads.
  const figs = $("figures");
  figs.innerHTML = "";
  const wanted = asIs
    ? [["run-as-is/figures/human-security.svg", "As is (one run)"]]
    : [["run-as-is/figures/human-security.svg", "As is (one run)"],
       ["run-what-if/figures/human-security.svg", "What if (the same seed)"]];
  for (const [name, caption] of wanted) {
    if (!res.files.includes(name)) continue;
    const f = document.createElement("figure");
    f.innerHTML = `<figcaption>${caption}</figcaption><img src="${fileUrl(id, name)}" alt="Human-security panel, ${caption}">`;
    figs.appendChild(f);
  }
  const dl = $("downloads");
  dl.innerHTML = "";
  for (const name of res.files.filter((n) => !n.startsWith("run-") || n.endsWith(".svg"))) {
    const li = document.createElement("li");
    li.innerHTML = `<a href="${fileUrl(id, name)}" download>${name}</a>`;
    dl.appendChild(li);
  }
}

// Fetches a run in full (its result and its whole live view), once it has ended.
async function fetchRun(id) {
  if (runs[id]) return runs[id];
  const r = await api(`/api/runs/${id}?live=0,0&version=none`);
  if (!r.ok) return null;
  const j = await r.json();
  const entry = { status: j, live: mergeLive(newLive(), j.live) };
  if (j.state === "done") runs[id] = entry;
  return entry;
}

// ---- history and comparison ---------------------------------------------------------------------

let history = [];
const picked = { A: null, B: null };

async function loadHistory() {
  let j;
  try {
    const r = await api("/api/history");
    if (!r.ok) return;
    j = await r.json();
  } catch (e) { return; }
  history = j.runs;
  const tbody = $("history").querySelector("tbody");
  tbody.innerHTML = "";
  $("history-empty").hidden = history.length > 0;
  for (const h of history) {
    const tr = document.createElement("tr");
    tr.dataset.run = String(h.id);
    const done = h.state === "done" && h.available;
    const when = new Date(h.created * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    const kind = h.summary.mode === "as_is" ? "as it is" : "what if";
    tr.innerHTML = `<td><input type="radio" name="pick-A" value="${h.id}" aria-label="Run ${h.id} as A" ${done ? "" : "disabled"}></td>
      <td><input type="radio" name="pick-B" value="${h.id}" aria-label="Run ${h.id} as B" ${done ? "" : "disabled"}></td>
      <td>${h.id}</td><td>${when}</td>
      <td class="what"><b>${h.summary.title}</b>, ${kind}: ${describeChanges(h.summary)}<br><code>${h.summary.command}</code></td>
      <td>${h.state}</td>
      <td>${done ? `<button type="button" class="secondary show-run" data-run="${h.id}">Show</button>` : ""}</td>`;
    tbody.appendChild(tr);
  }
  for (const side of ["A", "B"]) {
    const input = tbody.querySelector(`input[name=pick-${side}][value="${picked[side]}"]`);
    if (input && !input.disabled) input.checked = true;
    else picked[side] = null;
  }
  // By default the two newest finished runs.
  const finished = history.filter((h) => h.state === "done" && h.available).map((h) => h.id);
  if (picked.A === null && picked.B === null && finished.length >= 2) {
    picked.A = finished[1];
    picked.B = finished[0];
    tbody.querySelector(`input[name=pick-A][value="${picked.A}"]`).checked = true;
    tbody.querySelector(`input[name=pick-B][value="${picked.B}"]`).checked = true;
  }
  $("compare-button").disabled = !(picked.A !== null && picked.B !== null && picked.A !== picked.B);
  // After a reload, a run of this browser still going is followed again.
  const going = history.find((h) => h.state === "running" || h.state === "queued");
  if (going && runId === null) {
    runId = going.id;
    shownId = null;
    live = newLive();
    $("cancel").disabled = false;
    $("progress").hidden = false;
    $("placeholder").hidden = true;
    $("live").hidden = false;
    polling = setTimeout(poll, 300);
  }
}

// The values a run contributes to a comparison: its what-if arm (a what-if) or its as-is arm.
function mainArm(entry) {
  return entry.status.result.mode === "as_is" ? 0 : 1;
}

async function compare() {
  const [a, b] = [picked.A, picked.B];
  if (a === null || b === null) return;
  const [A, B] = await Promise.all([fetchRun(a), fetchRun(b)]);
  if (!A || !B || !A.status.result || !B.status.result) {
    $("message").textContent = "Those runs are no longer on the server.";
    return;
  }
  $("compare").hidden = false;
  const name = (e, side) => `${side}: run ${e.status.id}, ${e.status.result.mode === "as_is" ? "as it is" : "what if"}`;
  $("compare-title").textContent = `${name(A, "A")} and ${name(B, "B")}`;
  const col = (e) => (e.status.result.mode === "as_is" ? "as_is" : "what_if");
  $("compare-table").querySelector("thead").innerHTML =
    `<tr><th>Outcome</th><th>A (run ${a})</th><th>B (run ${b})</th><th>B − A</th><th>B vs A</th></tr>`;
  const tbody = $("compare-table").querySelector("tbody");
  tbody.innerHTML = "";
  const rowsA = A.status.result.rows, rowsB = B.status.result.rows;
  const outcomes = rowsA.map((r) => r.outcome).concat(rowsB.map((r) => r.outcome).filter((o) => !rowsA.some((r) => r.outcome === o)));
  for (const o of outcomes) {
    const ra = rowsA.find((r) => r.outcome === o), rb = rowsB.find((r) => r.outcome === o);
    const row = ra || rb;
    const va = ra ? ra[col(A)] : null, vb = rb ? rb[col(B)] : null;
    const tr = document.createElement("tr");
    tr.dataset.outcome = o;
    const diff = va !== null && vb !== null ? vb - va : null;
    const rel = diff !== null && va ? diff / Math.abs(va) : null;
    tr.innerHTML = `<td>${row.label}${row.unit ? ` <span class="muted">(${row.unit})</span>` : ""}</td>
      <td class="a">${fmt(va)}</td><td class="b">${fmt(vb)}</td><td>${fmt(diff)}</td><td>${rel === null ? "–" : pct(rel)}</td>`;
    tbody.appendChild(tr);
  }
  // Series: each run's main arm (mean of its runs with its band), on shared axes.
  const CMP = ["#009e73", "#cc79a7"];
  const ticks = Math.max(A.live.meta.ticks, B.live.meta.ticks);
  const meta = { ...A.live.meta, ticks };
  $("compare-charts").innerHTML = "";
  drawCharts($("compare-charts"), meta, (k) => {
    const lines = [];
    [[A, "A"], [B, "B"]].forEach(([e, side], i) => {
      const arm = mainArm(e);
      const ens = e.live.ensemble && e.live.ensemble[arm];
      if (ens && ens.mean.length) {
        lines.push({ label: `${side} (run ${e.status.id}), mean`, colour: CMP[i], width: 2.5,
          dash: i === 1 ? "6 3" : "none", values: ens.mean.map((r) => r[k]), half: ens.half.map((r) => r[k]) });
      }
    });
    return lines;
  }, ticks);
  $("compare-maps").innerHTML = "";
  $("compare-readout").textContent = "";
  mapViews.compare = null;
  mapView("compare", { ...A.live.meta, ticks }, [
    { title: `A (run ${a})`, rows: A.live.map[mainArm(A)] || [] },
    { title: `B (run ${b})`, rows: B.live.map[mainArm(B)] || [] },
  ], false);
  $("compare-commands").textContent = `# A (run ${a})\n${A.status.result.command}\n# B (run ${b})\n${B.status.result.command}`;
}

async function showRun(id) {
  const entry = await fetchRun(id);
  if (!entry || !entry.status.result) return;
  shownRequest = null;
  $("stale-note").hidden = true;
  show(id);
  $("results").scrollIntoView({ behavior: "smooth" });
}

// ---- start --------------------------------------------------------------------------------

async function init() {
  weightControls();
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
  $("allocation").addEventListener("input", updateLevers);
  $("mandate").addEventListener("input", updateLevers);
  $("ticks").addEventListener("input", () => { updateLevers(); settingsChanged(); });
  $("blend").addEventListener("input", (e) => { setBlend(Number(e.target.value)); updateLevers(); settingsChanged(); });
  $("blend-number").addEventListener("change", (e) => {
    const typed = Number(e.target.value.trim().replace(",", "."));
    setBlend(e.target.value.trim() === "" || !Number.isFinite(typed) ? blendShare() : typed);
    updateLevers();
    settingsChanged();
  });
  $("run").addEventListener("click", () => run(false));
  $("run-as-is").addEventListener("click", () => run(true));
  $("cancel").addEventListener("click", cancel);
  $("reset").addEventListener("click", resetControls);
  $("map-tick").addEventListener("input", () => drawMaps("map"));
  $("compare-tick").addEventListener("input", () => drawMaps("compare"));
  $("map-play").addEventListener("click", play);
  $("compare-button").addEventListener("click", compare);
  $("history").addEventListener("change", (e) => {
    const m = /^pick-([AB])$/.exec(e.target.name || "");
    if (m) picked[m[1]] = Number(e.target.value);
    $("compare-button").disabled = !(picked.A !== null && picked.B !== null && picked.A !== picked.B);
  });
  $("history").addEventListener("click", (e) => {
    const b = e.target.closest(".show-run");
    if (b) showRun(Number(b.dataset.run));
  });
  loadHistory();
  selectScenario(sel.value);
  document.body.dataset.ready = "true";
}

init();
