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

function settingsChanged() {
  // A run for other settings is no longer what the page shows: stop it.
  if (runId !== null && polling !== null) cancel();
  $("output").classList.add("stale");
  $("message").textContent = "";
}

// ---- runs ---------------------------------------------------------------------------------

// Starts a what-if, or with `asIs` the scenario as it is alone.
async function run(asIs) {
  $("message").textContent = "";
  const ticks = runTicks();
  if (ticks === null) {
    $("message").textContent = $("ticks-error").textContent;
    return;
  }
  const body = {
    scenario: current.name,
    replicates: Number($("replicates").value),
    seed: Number($("seed").value),
  };
  if (ticks !== current.ticks) body.ticks = ticks;
  if (asIs) body.mode = "as_is";
  else body.set = changes();
  const r = await api("/api/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) {
    $("message").textContent = j.error;
    return;
  }
  runId = j.id;
  $("cancel").disabled = false;
  $("run").disabled = true;
  $("run-as-is").disabled = true;
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
  $("run-as-is").disabled = false;
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
  const asIs = res.mode === "as_is";
  $("placeholder").hidden = true;
  $("output").hidden = false;
  $("output").classList.remove("stale");
  $("result-title").textContent = asIs ? `${res.title}: as it is` : `${res.title}: what if`;
  $("table").querySelector("thead").innerHTML = asIs
    ? "<tr><th>Outcome</th><th>As is</th><th>95 % CI of the mean</th></tr>"
    : "<tr><th>Outcome</th><th>As is</th><th>What if</th><th>Change (95 % CI)</th><th></th></tr>";
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
  const figs = $("figures");
  figs.innerHTML = "";
  const wanted = asIs ? [
    ["figures/timeseries-civilian_fatalities_cumulative.svg", "Civilian fatalities, with a 95 % band"],
    ["figures/timeseries-epidemic_deaths_cumulative.svg", "Epidemic deaths, with a 95 % band"],
    ["figures/timeseries-displaced.svg", "Displaced people"],
    ["figures/timeseries-af_m0.svg", "Human insecurity M0"],
    ["figures/timeseries-trust_in_mission.svg", "Trust in the mission"],
    ["run-as-is/figures/human-security.svg", "Human-security panel (one run)"],
    ["run-as-is/figures/map-af_m0.svg", "Map: M0 by locality at the end"],
  ] : [
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
  selectScenario(sel.value);
  document.body.dataset.ready = "true";
}

init();
