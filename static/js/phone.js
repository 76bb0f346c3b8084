// The plan on the client's phone. The page is the same for everyone; the plan and the device secret are
// kept in this phone's storage. A link's token arrives after "#" (never sent in a URL, so never logged),
// is posted once to open the copy, and is then removed from the address. When online, the page asks for
// the latest version with the secret; a copy that was taken back is removed from the phone.
(function () {
  "use strict";
  const KEY = "phone-plan";
  const body = document.body;
  const status = document.querySelector("[data-status]");
  const planBox = document.querySelector("[data-plan]");
  const tools = document.querySelector("[data-tools]");
  const pdfForm = document.querySelector("[data-pdf]");
  const homeForm = document.querySelector("[data-home-form]");

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function keep(state) { localStorage.setItem(KEY, JSON.stringify(state)); }

  function message(name) {
    document.querySelectorAll("[data-message]").forEach(function (box) { box.hidden = box.dataset.message !== name; });
  }

  function show(plan) {
    // Our own server-rendered markup, in which every word the client typed was escaped by the server.
    planBox.innerHTML = plan.html;
    planBox.lang = plan.lang;
    planBox.dir = plan.dir;
    planBox.hidden = false;
    tools.hidden = false;
    message("");
  }

  function forget() {
    localStorage.removeItem(KEY);
    planBox.innerHTML = "";
    planBox.hidden = true;
    tools.hidden = true;
    if (window.caches) caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
    if (navigator.serviceWorker) {
      navigator.serviceWorker.getRegistrations().then(function (all) { all.forEach(function (r) { r.unregister(); }); });
    }
  }

  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      body: new URLSearchParams(fields),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  }

  function homeScreen(state) {
    const name = (state && state.name) || body.dataset.defaultName;
    const icon = (state && state.icon) || "";
    document.title = name;
    document.querySelector('meta[name="apple-mobile-web-app-title"]').content = name;
    const params = new URLSearchParams({ name: name });
    if (icon) params.set("icon", icon);
    document.querySelector('link[rel="manifest"]').href = body.dataset.manifestUrl + "?" + params.toString();
    const chosen = icon && homeForm.querySelector('input[name="icon"][value="' + icon + '"]');
    if (chosen) {
      chosen.checked = true;
      const src = chosen.parentElement.querySelector("img").getAttribute("src");
      document.querySelector('link[rel="icon"]').href = src;
      document.querySelector('link[rel="apple-touch-icon"]').href = src;
    }
    homeForm.elements.name.value = name;
  }

  function openLink(token) {
    status.textContent = "";
    post(body.dataset.openUrl, { token: token }).then(function (response) {
      history.replaceState(null, "", location.pathname);  // the token is spent either way
      if (response.status === 410) { planBox.hidden = true; tools.hidden = true; message("refused"); return null; }
      if (!response.ok) throw new Error(String(response.status));
      return response.json().then(function (answer) {
        const state = { secret: answer.secret, plan: answer.plan, name: "", icon: "" };
        keep(state);
        show(state.plan);
        homeScreen(state);
      });
    }).catch(function () {
      message("unreachable");
    });
  }

  function check(state) {
    post(body.dataset.checkUrl, { secret: state.secret, held: String(state.plan.version) }).then(function (response) {
      if (response.status === 410) { forget(); message("removed"); return null; }
      if (!response.ok) throw new Error(String(response.status));
      return response.json().then(function (answer) {
        if (answer.status === "updated") {
          state.plan = answer.plan;
          keep(state);
          show(state.plan);
        }
        status.textContent = "";
      });
    }).catch(function () {
      // No signal, or the server is away: the copy kept on this phone stays, exactly as it was.
      status.textContent = status.dataset.offline || "";
    });
  }

  pdfForm.addEventListener("submit", function (event) {
    const state = load();
    if (!state) { event.preventDefault(); return; }
    if (!navigator.onLine) { event.preventDefault(); status.textContent = status.dataset.pdfOffline || ""; return; }
    pdfForm.elements.secret.value = state.secret;
    // The secret leaves the form again once the download has started.
    setTimeout(function () { pdfForm.elements.secret.value = ""; }, 0);
  });

  homeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const state = load();
    if (!state) return;
    state.name = homeForm.elements.name.value.trim().slice(0, 30);
    const icon = homeForm.querySelector('input[name="icon"]:checked');
    state.icon = icon ? icon.value : "";
    keep(state);
    homeScreen(state);
    homeForm.querySelector("[data-home-status]").textContent = homeForm.dataset.saved || "";
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.swUrl, { scope: body.dataset.scope }).catch(function () {});
  }

  const token = location.hash.slice(1);
  const state = load();
  if (state) homeScreen(state);
  if (token) {
    openLink(token);
  } else if (state) {
    show(state.plan);
    check(state);
  } else {
    message("none");
  }
})();
