// Plan editor, progressive enhancement: add, remove, reorder and suggest entries in place.
// Without this file every button posts the form and the server does the same thing.
(function () {
  "use strict";
  const form = document.querySelector("[data-plan-editor]");
  if (!form) return;
  const status = document.getElementById("editor-status");
  let dirty = false;
  let submitting = false;

  function announce(text) {
    if (status) { status.textContent = ""; window.setTimeout(() => { status.textContent = text; }, 50); }
  }

  function renumber(section) {
    const key = section.dataset.section;
    const label = section.dataset.entryLabel || "";
    // Django's ids start "id_<key>-" (labels' `for` too): match after "id_" as well, not after other letters.
    const pattern = new RegExp("(^|id_|[^a-z_])" + key + "-(\\d+|__prefix__)-", "g");
    const rows = section.querySelectorAll(":scope > [data-entries] > [data-entry]");
    rows.forEach((row, i) => {
      row.querySelectorAll("[name], [id], [for], [aria-describedby], [aria-labelledby]").forEach((el) => {
        for (const attr of ["name", "id", "for", "aria-describedby", "aria-labelledby"]) {
          const value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(pattern, "$1" + key + "-" + i + "-"));
        }
      });
      row.querySelectorAll("button[data-op]").forEach((button) => {
        button.value = button.dataset.op + ":" + key + ":" + i;
      });
      row.querySelectorAll("[data-entry-number]").forEach((el) => { el.textContent = String(i + 1); });
      row.querySelectorAll("[data-entry-ref]").forEach((el) => { el.textContent = " " + label + " " + (i + 1); });
    });
    const total = section.querySelector("input[name='" + key + "-TOTAL_FORMS']");
    if (total) total.value = String(rows.length);
    return rows;
  }

  function firstInput(row) {
    return row.querySelector("textarea, input:not([type=hidden])");
  }

  function addRow(section) {
    const template = section.querySelector("template[data-empty-row]");
    const list = section.querySelector("[data-entries]");
    list.appendChild(template.content.cloneNode(true));
    const rows = renumber(section);
    return rows[rows.length - 1];
  }

  function isBlank(row) {
    const uid = row.querySelector("input[type=hidden][name$='-uid']");
    if (uid && uid.value) return false;
    return Array.from(row.querySelectorAll("textarea, input:not([type=hidden])")).every((el) => !el.value.trim());
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-op]");
    if (!button || !form.contains(button)) return;
    const section = button.closest("[data-section]");
    if (!section) return;
    event.preventDefault();
    dirty = true;
    const op = button.dataset.op;
    const row = button.closest("[data-entry]");
    if (op === "add") {
      const added = addRow(section);
      firstInput(added).focus();
      announce(button.textContent.trim());
    } else if (op === "suggest") {
      const rows = section.querySelectorAll(":scope > [data-entries] > [data-entry]");
      let target = Array.from(rows).find(isBlank);
      if (!target) target = addRow(section);
      const input = firstInput(target);
      input.value = button.dataset.text;
      input.focus();
      announce(button.dataset.text);
    } else if (op === "remove" && row) {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(section);
      (next ? firstInput(next) : section.querySelector("button[data-op=add]")).focus();
      announce(form.dataset.removedText || "Removed");
    } else if ((op === "up" || op === "down") && row) {
      const sibling = op === "up" ? row.previousElementSibling : row.nextElementSibling;
      if (sibling) {
        if (op === "up") sibling.before(row); else sibling.after(row);
        renumber(section);
        button.focus();
        const number = row.querySelector("[data-entry-number]");
        announce((form.dataset.movedText || "") + " " + (number ? number.textContent : ""));
      }
    }
  });

  // The checklist follows each background save (the server checks what was saved).
  const checklist = document.querySelector("[data-checklist]");
  document.addEventListener("safetyplan:saved", (event) => {
    const found = event.detail && event.detail.checklist;
    if (!checklist || !found) return;
    Object.entries(found).forEach(([key, met]) => {
      const item = checklist.querySelector("[data-check='" + key + "']");
      if (!item) return;
      item.classList.toggle("met", met);
      item.classList.toggle("unmet", !met);
      const state = item.querySelector("[data-check-state]");
      if (state) state.textContent = (met ? checklist.dataset.textMet : checklist.dataset.textUnmet) + " ";
    });
  });

  // Gentle prompts beside generic words ("Who, exactly?") follow each background save too. Never a block.
  function describedBy(field, id, on) {
    const ids = (field.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
    if (on) ids.push(id);
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" ")); else field.removeAttribute("aria-describedby");
  }
  document.addEventListener("safetyplan:saved", (event) => {
    const hints = event.detail && event.detail.hints;
    if (!hints) return;
    form.querySelectorAll(".vague-hint").forEach((hint) => {
      const field = document.getElementById(hint.id.replace(/_hint$/, ""));
      if (!field || !hints[field.name]) {
        if (field) describedBy(field, hint.id, false);
        hint.remove();
      }
    });
    Object.entries(hints).forEach(([name, text]) => {
      const field = form.elements.namedItem(name);
      if (!field || !field.id) return;
      let hint = document.getElementById(field.id + "_hint");
      if (!hint) {
        hint = document.createElement("div");
        hint.className = "form-text vague-hint";
        hint.id = field.id + "_hint";
        field.parentNode.appendChild(hint);
        describedBy(field, hint.id, true);
      }
      hint.textContent = text;
    });
  });

  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { submitting = true; });
  // Ask before leaving only while something typed is not kept yet. With autosave running, it says
  // (form.dataset.unsaved) whether the last change has reached the server; without it, any change counts.
  window.addEventListener("beforeunload", (event) => {
    const unsaved = form.dataset.autosaving === "1" ? form.dataset.unsaved === "1" : dirty;
    if (unsaved && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
})();
