// Wallet card chooser: when a choice changes, reload the preview and the list of what did not fit.
// Without JavaScript the "Update preview" button does the same with a page load.
(function () {
  "use strict";
  const form = document.querySelector("[data-card-chooser]");
  if (!form) return;
  const frame = document.getElementById("card-preview");
  const report = document.getElementById("card-report");
  let timer = null;
  let latest = 0;

  function query() {
    const data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    data.delete("go");
    data.set("view", "panels");
    return new URLSearchParams(data).toString();
  }

  async function refresh() {
    const qs = query();
    const ticket = ++latest;
    frame.src = form.dataset.previewUrl + "?" + qs;
    const response = await fetch(form.dataset.pageUrl + "?" + qs, { credentials: "same-origin" });
    if (!response.ok || ticket !== latest) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("card-report");
    if (fresh) report.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
    for (const badge of form.querySelectorAll(".badge")) badge.remove();
    for (const freshBadge of page.querySelectorAll("#card-form .badge")) {
      const input = form.querySelector("#" + CSS.escape(freshBadge.parentElement.querySelector("input").id));
      if (input) input.parentElement.append(document.importNode(freshBadge, true));
    }
  }

  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
})();
