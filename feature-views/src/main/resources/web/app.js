// The feature-views page: sign in with Keycloak (authorization code + PKCE), pick a view, an
// owner, sources and a range, plot the series (raw rows, or daily/hourly summaries for long
// ranges) and download the same query as CSV. No framework; uPlot draws the chart.
"use strict";

const LONG_RANGE_DAYS = 7;
const state = { config: null, token: null, views: [] };

function $(id) { return document.getElementById(id); }
function status(text) { $("status").textContent = text; }

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function pkcePair() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return { verifier, challenge };
}

function realmUrl() { return `${state.config.keycloak_url}/realms/${state.config.realm}`; }
function redirectUri() { return `${location.origin}/`; }

async function signIn() {
  const { verifier, challenge } = await pkcePair();
  const stateValue = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("pkce_verifier", verifier);
  sessionStorage.setItem("oauth_state", stateValue);
  const params = new URLSearchParams({
    client_id: state.config.client_id, response_type: "code", scope: "openid sensorapi",
    redirect_uri: redirectUri(), code_challenge: challenge, code_challenge_method: "S256", state: stateValue,
  });
  location.assign(`${realmUrl()}/protocol/openid-connect/auth?${params}`);
}

async function finishSignIn(code, returnedState) {
  if (returnedState !== sessionStorage.getItem("oauth_state")) {
    throw new Error("sign-in answer does not belong to this page (state mismatch)");
  }
  const body = new URLSearchParams({
    grant_type: "authorization_code", client_id: state.config.client_id, code,
    redirect_uri: redirectUri(), code_verifier: sessionStorage.getItem("pkce_verifier"),
  });
  const response = await fetch(`${realmUrl()}/protocol/openid-connect/token`, { method: "POST", body });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const tokens = await response.json();
  sessionStorage.setItem("access_token", tokens.access_token);
  history.replaceState({}, "", "/");
}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) {
    let detail = `${response.status}`;
    try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(detail);
  }
  return response;
}

function fillViews() {
  $("view").replaceChildren(...state.views.map(v => new Option(`${v.name} (${v.kind})`, v.name)));
  fillSources();
}

function fillSources() {
  const view = state.views.find(v => v.name === $("view").value);
  $("sources").replaceChildren(...view.sources.map(s => new Option(`${s.source_id} [${s.unit}]`, s.source_id)));
}

function query(extra) {
  const params = new URLSearchParams({ [$("by").value]: $("owner").value.trim(), from: $("from").value.trim(), to: $("to").value.trim(), ...extra });
  const chosen = [...$("sources").selectedOptions].map(o => o.value);
  if (chosen.length) params.set("source_id", chosen.join(","));
  return params;
}

async function plot(event) {
  event.preventDefault();
  const view = $("view").value;
  const days = (Date.parse($("to").value) - Date.parse($("from").value)) / 86400000;
  const series = {};
  if (days > LONG_RANGE_DAYS) {
    const bucket = days > 60 ? "P1D" : "PT1H";
    status(`Long range: plotting ${bucket} means from the summary…`);
    const summary = await (await api(`/v1/views/${view}/summary?${query({ bucket })}`)).json();
    for (const b of summary.buckets) (series[b.source_id] ||= []).push([Date.parse(b.bucket_start) / 1000, b.mean]);
  } else {
    status("Loading rows…");
    const page = await (await api(`/v1/views/${view}/data?${query({ format: "json" })}`)).json();
    for (const r of page.rows) (series[r.source_id] ||= []).push([Date.parse(r.ts) / 1000, r.value]);
    if (page.next_cursor) status("More rows than one page: plotting the first page; narrow the range to see all.");
  }
  draw(series);
  $("plotted").textContent = JSON.stringify(series);
  const points = Object.values(series).reduce((n, s) => n + s.length, 0);
  if (!$("status").textContent.startsWith("More")) status(`${points} points plotted`);
}

function draw(series) {
  const names = Object.keys(series).sort();
  const times = [...new Set(names.flatMap(n => series[n].map(p => p[0])))].sort((a, b) => a - b);
  const columns = names.map(n => {
    const byTime = new Map(series[n]);
    return times.map(t => (byTime.has(t) ? byTime.get(t) : null));
  });
  const colors = ["#24495e", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#2e86c1"];
  $("chart").replaceChildren();
  new uPlot({
    width: Math.max(600, window.innerWidth - 40), height: 380, spanGaps: true,
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], points: { show: true } }))],
  }, [times, ...columns], $("chart"));
}

async function download() {
  const view = $("view").value;
  const blob = await (await api(`/v1/views/${view}/data?${query({ format: "csv" })}`)).blob();
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: `${view}.csv` });
  link.click();
  URL.revokeObjectURL(link.href);
}

async function start() {
  state.config = await (await fetch("/config.json")).json();
  const params = new URLSearchParams(location.search);
  if (params.get("code")) await finishSignIn(params.get("code"), params.get("state"));
  state.token = sessionStorage.getItem("access_token");
  if (!state.token) {
    $("sign-in").hidden = false;
    $("sign-in").onclick = signIn;
    return;
  }
  const claims = JSON.parse(atob(state.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  $("who").textContent = `signed in as ${claims.preferred_username}`;
  state.views = (await (await api("/v1/views")).json()).views;
  fillViews();
  $("view").onchange = fillSources;
  $("query").onsubmit = e => plot(e).catch(error => status(`Could not plot: ${error.message}`));
  $("download").onclick = () => download().catch(error => status(`Could not download: ${error.message}`));
  $("app").hidden = false;
  status("Ready");
}

start().catch(error => status(`Error: ${error.message}`));
