// The credmatch web page: plain DOM code over the JSON API (docs/api.md); no build step, nothing
// loaded from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "width") node.style.width = v; // CSSOM: allowed by the page's CSP
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const pct = (x) => `${Math.round(x * 100)}%`;
// A posting without a title line comes back with an empty title.
const jobName = (job) => (job.title ? `“${job.title}”` : "the posting");
const num = (x, unit) => (x === null || x === undefined ? `${unit} unknown` : `${x} ${unit}`);

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    throw new Error(`${path}: HTTP ${res.status}, response is not JSON`);
  }
  if (!res.ok) {
    const msg = data && data.error ? data.error.message : `HTTP ${res.status}`;
    throw new Error(msg);
  }
  return data;
}

// ---- tabs (WAI-ARIA tabs pattern: arrow keys move between tabs) ----
function setupTabs() {
  const tabs = [$("tab-employer"), $("tab-worker")];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    tab.focus();
  };
  tabs.forEach((t, i) => {
    t.addEventListener("click", () => select(t));
    t.addEventListener("keydown", (e) => {
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        select(next);
        e.preventDefault();
      }
    });
  });
}

// ---- job source: posting text or occupation ----
function setupSource(prefix) {
  const form = $(`${prefix}-form`);
  const update = () => {
    const value = form.querySelector(`input[name="${prefix}-source"]:checked`).value;
    form.querySelector(".source-text").hidden = value !== "text";
    form.querySelector(".source-occupation").hidden = value !== "occupation";
  };
  form.querySelectorAll(`input[name="${prefix}-source"]`).forEach((r) => r.addEventListener("change", update));
  update();
}

const occupationIds = new Map(); // title -> id, from the suggestions shown

function setupOccupationSearch(prefix) {
  const input = $(`${prefix}-occupation`);
  const list = $(`${prefix}-occupation-list`);
  let timer = null;
  let last = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (q === last || q.length < 2) return;
      last = q;
      try {
        const data = await api("GET", `/v1/occupations?q=${encodeURIComponent(q)}&k=10`);
        list.replaceChildren(
          ...data.occupations.map((o) => {
            occupationIds.set(o.title, o.id);
            return el("option", { value: o.title, label: `${o.title} (${o.requirements} requirements)` });
          })
        );
      } catch (e) {
        /* suggestions are optional; the server resolves titles on submit */
      }
    }, 150);
  });
}

// The job part of a request body, or throws with a message for the form.
function jobRequest(prefix) {
  const source = document.querySelector(`input[name="${prefix}-source"]:checked`).value;
  if (source === "text") {
    const text = $(`${prefix}-text`).value.trim();
    if (!text) throw new Error("Paste a job posting first.");
    return { text };
  }
  const title = $(`${prefix}-occupation`).value.trim();
  if (!title) throw new Error("Type an occupation and pick one from the list.");
  return { occupation: occupationIds.get(title) || title };
}

function showError(prefix, err) {
  const box = $(`${prefix}-error`);
  if (!err) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.textContent = err.message || String(err);
  box.hidden = false;
}

async function withBusy(prefix, fn) {
  const button = $(`${prefix}-submit`);
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  showError(prefix, null);
  try {
    await fn();
  } catch (e) {
    showError(prefix, e);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// ---- employer: ranked credentials with evidence ----
function renderMatch(data) {
  const out = $("employer-results");
  const reqs = data.job.requirements;
  const uncovered = reqs.filter((r) => !r.covered_by_catalog);
  const items = data.results.map((r) => {
    const c = r.credential;
    const meta = [c.provider, c.kind, num(c.hours, "h"), c.cost === null ? "cost unknown" : `${c.currency} ${c.cost}`]
      .filter(Boolean)
      .join(" · ");
    const rows = r.evidence.map((e) =>
      el(
        "tr",
        {},
        el("td", {}, e.text),
        el("td", {}, e.importance),
        el("td", { class: e.covered ? "yes" : "no" }, e.covered ? "covered" : "not covered"),
        el("td", {}, e.score.toFixed(2)),
        el("td", {}, e.covered ? e.competency_text : "")
      )
    );
    return el(
      "li",
      { class: "result" },
      el("div", { class: "cred-title" }, c.url ? el("a", { href: c.url, rel: "noopener" }, c.title) : c.title),
      el("div", { class: "muted" }, meta),
      el(
        "div",
        {},
        el("span", { class: "meter", role: "img", "aria-label": `${r.relevance === null ? "coverage" : "relevance"} ${pct(r.score)}` }, el("span", { width: pct(r.score) })),
        ` ${r.headline} (${r.relevance === null ? "score" : "relevance"} ${r.score.toFixed(2)})`
      ),
      el(
        "details",
        {},
        el("summary", {}, "Evidence per requirement"),
        el(
          "table",
          {},
          el("caption", { class: "muted" }, `How ${c.title} meets each requirement`),
          el("thead", {}, el("tr", {}, ...["Requirement", "Importance", "Covered", "Similarity", "Best competency"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, ...rows)
        )
      )
    );
  });
  // replaceChildren() writes a null argument as the text "null": absent parts are dropped.
  out.replaceChildren(
    ...[
      el(
        "p",
        { class: "summary", id: "employer-summary" },
        `${data.results.length} credentials for ${jobName(data.job)} (${reqs.length} requirements), ranked by ${data.ranking === "relevance" ? "relevance to the job" : "requirement coverage"}, in ${data.milliseconds.toFixed(1)} ms.`
      ),
      data.note ? el("p", { class: "note", id: "employer-note", role: "status" }, data.note) : null,
      data.results.length ? el("ol", { class: "results", id: "employer-list" }, ...items) : el("p", {}, "No credential covers any requirement."),
      uncovered.length
        ? el("div", {}, el("h3", {}, "Not covered by any credential in the catalog"), el("ul", {}, ...uncovered.map((r) => el("li", {}, r.text))))
        : null
    ].filter(Boolean)
  );
}

async function submitEmployer(e) {
  e.preventDefault();
  await withBusy("employer", async () => {
    const body = jobRequest("employer");
    const top = parseInt($("employer-top").value, 10);
    if (top > 0) body.top = top;
    renderMatch(await api("POST", "/v1/match", body));
  });
}

// ---- worker: gap table and ordered path ----
function renderWorker(gap, path) {
  const out = $("worker-results");
  const g = gap.gap;
  const gapRows = g.requirements.map((r) =>
    el(
      "tr",
      {},
      el("td", {}, r.text),
      el("td", {}, r.importance),
      el("td", { class: `status-${r.status}` }, r.status),
      el("td", {}, r.similarity.toFixed(2)),
      el("td", {}, r.evidence ? r.evidence.text : ""),
      el("td", {}, r.covered_by_catalog ? "yes" : "no")
    )
  );
  let pathPart;
  if (path.status === "infeasible") {
    pathPart = el("p", {}, `No path: ${path.message}`);
  } else if (path.steps.length === 0) {
    pathPart = el("p", {}, `Nothing to add: your coverage ${pct(path.coverage_before)} already reaches what this catalog can offer (${pct(path.reachable)}).`);
  } else {
    pathPart = el(
      "div",
      {},
      el(
        "p",
        {},
        `${path.steps.length} credential${path.steps.length === 1 ? "" : "s"}, ${path.hours_text}, ${path.cost_text}; coverage ${pct(path.coverage_before)} → ${pct(path.coverage_after)} (${path.algorithm}).`
      ),
      path.candidates_source === "relevance"
        ? el("p", { class: "muted" }, "Only credentials related to the job as a whole are considered; the path starts with the most related one.")
        : el("p", { class: "muted" }, "Candidates: any credential with a competency near a requirement you lack (this catalog has no relevance model)."),
      path.objective_note ? el("p", { class: "muted", id: "worker-objective-note" }, `Objective: minimise ${path.objective} (${path.objective_note}).`) : null,
      el(
        "table",
        { id: "worker-path" },
        el("caption", { class: "muted" }, "Take these in order (prerequisites first)"),
        el("thead", {}, el("tr", {}, ...["#", "Credential", "Related to the job", "Hours", "Cost", "Coverage after", "Improves (with the credential's competency)"].map((h) => el("th", { scope: "col" }, h)))),
        el(
          "tbody",
          {},
          ...path.steps.map((s, i) =>
            el(
              "tr",
              {},
              el("td", {}, i + 1),
              el("td", {}, s.title, s.prerequisite_only ? " (prerequisite)" : ""),
              el("td", {}, s.relevance === null ? "-" : `${s.relevance_label} (${s.relevance.toFixed(2)})`),
              el("td", {}, s.hours === null ? "unknown" : s.hours),
              el("td", {}, s.cost === null ? "unknown" : `${s.currency} ${s.cost}`),
              el("td", {}, pct(s.coverage_after)),
              el(
                "td",
                {},
                ...s.evidence
                  .filter((e) => e.credit >= 0.1)
                  .sort((a, b) => b.credit - a.credit)
                  .slice(0, 6)
                  .map((e) => el("div", {}, `${e.requirement} ← “${e.competency}” (${e.similarity.toFixed(2)})${e.credit < 1 ? " partly" : ""}`))
              )
            )
          )
        )
      )
    );
  }
  out.replaceChildren(
    el(
      "p",
      { class: "summary", id: "worker-summary" },
      `${gap.job.title ? `“${gap.job.title}”` : "The posting"}: you cover ${pct(g.coverage)} (essential ${pct(g.essential_coverage)}): ${g.covered} covered, ${g.partial} partial, ${g.missing} missing.`
    ),
    el("h3", {}, "Your gap"),
    el(
      "table",
      { id: "worker-gap" },
      el("caption", { class: "muted" }, "Each requirement of the job against your best skill"),
      el("thead", {}, el("tr", {}, ...["Requirement", "Importance", "Status", "Similarity", "Your best match", "Any credential covers it"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...gapRows)
    ),
    el("h3", {}, "Your path"),
    pathPart
  );
}

async function submitWorker(e) {
  e.preventDefault();
  await withBusy("worker", async () => {
    const job = jobRequest("worker");
    const skills = $("worker-skills").value;
    const body = { ...job, skills };
    const pathBody = { ...body, objective: $("worker-objective").value };
    const maxHours = parseFloat($("worker-max-hours").value);
    if (maxHours >= 0) pathBody.max_hours = maxHours;
    const [gap, path] = await Promise.all([api("POST", "/v1/gap", body), api("POST", "/v1/path", pathBody)]);
    renderWorker(gap, path);
  });
}

async function showCatalog() {
  try {
    const h = await api("GET", "/v1/health");
    $("catalog-status").textContent =
      `Catalog: ${h.counts.credentials} credentials, ${h.counts.matchable_competencies} competencies, ${h.counts.occupations} occupations.`;
  } catch (e) {
    $("catalog-status").textContent = `Catalog unavailable: ${e.message}`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupTabs();
  setupSource("employer");
  setupSource("worker");
  setupOccupationSearch("employer");
  setupOccupationSearch("worker");
  $("employer-form").addEventListener("submit", submitEmployer);
  $("worker-form").addEventListener("submit", submitWorker);
  showCatalog();
});
