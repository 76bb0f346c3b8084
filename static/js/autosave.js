// Autosave: a few seconds after typing stops, the form is saved in the background.
// It saves only after input (never on a timer while idle), says plainly when saving fails and
// retries with a growing delay. Without JavaScript the Save buttons do the same job.
// The editor (data-autosave-parts) sends only the parts of the page that changed since the last save
// (a section's entries, a step's notes, what matters most, the plan's details: each marked data-part);
// when the server needs the whole page (to keep a draft of a field with a problem) it says "send_all".
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) return;
  const statusEl = document.querySelector("[data-autosave-status]");
  const text = form.dataset;
  const DEBOUNCE_MS = 1500;
  let timer = null;
  let inFlight = false;
  let again = false;
  let stopped = false;
  let retryMs = 2000;
  let structure = 0; // bumped when rows are added, removed or moved
  let queuedSubmitter = null;
  let changes = 0; // every input or row change; `kept` is the count the server has kept
  let kept = 0;
  const byParts = "autosaveParts" in form.dataset;
  const ALWAYS_SENT = new Set(["csrfmiddlewaretoken", "revision", "base"]);
  let dirty = new Set(); // the parts changed since the last send
  let wholeNext = false; // the next send carries the whole page
  form.dataset.autosaving = "1";

  function partOf(element) {
    const holder = element && element.closest ? element.closest("[data-part]") : null;
    return holder ? holder.dataset.part : null;
  }

  function markPart(element) {
    const part = partOf(element);
    if (part) dirty.add(part); else wholeNext = true;
  }

  // What to post: the whole page, or the changed parts with their names in `parts`.
  function payload(data, whole, parts) {
    if (whole) return new URLSearchParams(data);
    const partByName = new Map();
    for (const element of form.elements) if (element.name) partByName.set(element.name, partOf(element));
    const body = new URLSearchParams();
    for (const [name, value] of data) {
      if (ALWAYS_SENT.has(name) || parts.has(partByName.get(name))) body.append(name, value);
    }
    body.append("parts", Array.from(parts).join(","));
    return body;
  }

  function changed() {
    changes += 1;
    form.dataset.unsaved = "1";
  }

  function keptUpTo(count) {
    kept = Math.max(kept, count);
    if (kept === changes) form.dataset.unsaved = "";
  }

  function say(message, link) {
    if (!statusEl) return;
    statusEl.textContent = message;
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.textContent = text.textResolve;
      statusEl.append(" ", a);
    }
  }

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function schedule(delay) {
    if (stopped) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(send, delay);
  }

  function retry(message) {
    say(message);
    schedule(retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  function setField(name, value) {
    const field = form.elements.namedItem(name);
    if (field && "value" in field) field.value = value;
  }

  async function send() {
    if (stopped) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    again = false;
    const sentStructure = structure;
    const sentChanges = changes;
    const sentParts = dirty;
    const whole = !byParts || wholeNext || sentParts.size === 0;
    dirty = new Set();
    wholeNext = false;
    // Not sent after all (a failure, or the server asks for the whole page): sent again next time.
    const unsent = () => { sentParts.forEach((part) => dirty.add(part)); if (whole) wholeNext = true; };
    const data = new FormData(form);
    data.delete("op");
    data.delete("go");
    // After signing in again the CSRF token changes: always send the current cookie's token.
    const token = cookie("csrftoken");
    if (token) { data.delete("csrfmiddlewaretoken"); setField("csrfmiddlewaretoken", token); }
    say(text.textSaving);
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST",
        // URL-encoded, as the form itself posts (much cheaper for the server to read than multipart).
        body: payload(data, whole, sentParts),
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
      });
    } catch (error) {
      inFlight = false;
      unsent();
      retry(text.textOffline);
      return finish();
    }
    inFlight = false;
    if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect") {
      unsent();
      retry(text.textSignedOut);
      return finish();
    }
    let body = null;
    try { body = await response.json(); } catch (error) { body = null; }
    if (!response.ok || !body) {
      if (response.status >= 500 || !body) { unsent(); retry(text.textFailed); return finish(); }
      stopped = true;
      say(body.message || text.textFailed);
      return finish();
    }
    retryMs = 2000;
    if (body.status === "send_all") {
      unsent();
      wholeNext = true;
      if (stopped) return finish(); // a Save was pressed meanwhile: it posts the whole page itself
      schedule(0);
      return;
    }
    document.dispatchEvent(new CustomEvent("safetyplan:saved", { detail: body }));
    if (body.uids && sentStructure === structure) {
      Object.entries(body.uids).forEach(([name, uid]) => setField(name, uid));
    }
    if (body.base) setField("base", body.base);
    if (body.revision !== undefined) setField("revision", String(body.revision));
    if (body.status === "conflict") {
      stopped = true;
      say(text.textConflict, body.url);
    } else if (body.status === "saved" || body.status === "already_saved") {
      say(text.textSaved + " " + body.saved_at);
      keptUpTo(sentChanges);
    } else if (body.status === "draft") {
      // Kept as typed, to be shown again on this page: nothing would be lost by leaving.
      say(body.message || "");
      keptUpTo(sentChanges);
    } else {
      say(body.message || "");
      if (body.status === "merged") keptUpTo(sentChanges);
    }
    return finish();
  }

  function finish() {
    if (queuedSubmitter !== null) {
      const submitter = queuedSubmitter;
      queuedSubmitter = null;
      form.dataset.autosaveDone = "1";
      if (submitter instanceof HTMLElement) form.requestSubmit(submitter); else form.requestSubmit();
      return;
    }
    if (again) schedule(DEBOUNCE_MS);
  }

  form.addEventListener("input", (event) => { markPart(event.target); changed(); schedule(DEBOUNCE_MS); });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-op]");
    if (button) { markPart(button); structure += 1; changed(); schedule(DEBOUNCE_MS); }
  });
  // An explicit save waits for a background save in flight, so the two never race.
  form.addEventListener("submit", (event) => {
    window.clearTimeout(timer);
    if (inFlight) {
      event.preventDefault();
      queuedSubmitter = event.submitter || null;
    }
    stopped = true;
  });
})();
