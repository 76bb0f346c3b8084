// Idle warning: a short while before the server signs an idle clinician out, say so and offer to stay.
// Activity that reaches the server (page loads, saves, autosaves) restarts the clock; nothing is sent
// on a timer, so an idle session is never kept alive by this script.
(function () {
  "use strict";
  const body = document.body;
  const timeout = Number(body.dataset.idleTimeout || 0) * 1000;
  const warning = Number(body.dataset.idleWarning || 0) * 1000;
  const box = document.querySelector("[data-idle-warning-box]");
  if (!timeout || !box) return;
  let timer = null;

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function restart() {
    window.clearTimeout(timer);
    box.hidden = true;
    timer = window.setTimeout(() => {
      box.hidden = false;
      box.querySelector("[data-stay-signed-in]").focus();
    }, Math.max(timeout - warning, 1000));
  }

  box.querySelector("[data-stay-signed-in]").addEventListener("click", async () => {
    try {
      const response = await fetch(body.dataset.keepAliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
      });
      if (response.ok) restart(); else window.location.reload();
    } catch (error) {
      box.querySelector("p").textContent += " ";
    }
  });
  // Saves made in the background count as activity on the server.
  document.addEventListener("safetyplan:saved", restart);
  restart();
})();
