// Door forms: what was typed survives a look at the privacy notice and "Back", and an error
// after sending is brought into view, focused and read out. No inline scripts (CSP).
//
// A form marked data-draft="NAME" keeps its fields in this tab's sessionStorage under
// "door.draft.NAME" until it is sent; the welcome screen clears every draft (door.js), so
// the next visitor never sees what the last one typed.
(function () {
  "use strict";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.name !== "csrf_token" &&
        (field.type === "text" || field.type === "checkbox");
    });
  }

  function read(form) {
    var data = {};
    var any = false;
    fieldsOf(form).forEach(function (field) {
      var value = field.type === "checkbox" ? (field.checked ? field.value : "") : field.value;
      data[field.name] = value;
      if (value.trim()) any = true;
    });
    return any ? data : null;
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    var store = storage();
    var key = "door.draft." + form.getAttribute("data-draft");
    var sent = false;
    var save = function () {
      if (!store || sent) return;
      var data = read(form);
      if (data) store.setItem(key, JSON.stringify(data));
      else store.removeItem(key);
    };
    // Back from the privacy notice: fill in what the page came without. What the server
    // sent back (after an error) wins, as it is what was last sent.
    if (store && !form.hasAttribute("data-sent")) {
      try {
        var saved = JSON.parse(store.getItem(key) || "null");
        if (saved) {
          fieldsOf(form).forEach(function (field) {
            if (!Object.prototype.hasOwnProperty.call(saved, field.name)) return;
            if (field.type === "checkbox") field.checked = saved[field.name] === field.value;
            else if (!field.value) field.value = saved[field.name];
          });
        }
      } catch (e) { store.removeItem(key); }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    // Sent: the server has it now, and answers with the form again if something is missing.
    form.addEventListener("submit", function () {
      sent = true;
      if (store) store.removeItem(key);
    });
    // The page may be left through a link; keep the latest state.
    window.addEventListener("pagehide", save);
  });

  // After sending: the first problem into view, focused, and said out loud.
  var firstError = document.querySelector("form .error");
  if (firstError) {
    var form = firstError.closest("form");
    var field = form.querySelector("[aria-invalid='true']") ||
      form.querySelector("input[type='text'], input[type='checkbox']");
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "assertive");
    document.body.appendChild(live);
    if (field) {
      field.focus({ preventScroll: true });
      (field.closest(".field") || field).scrollIntoView({ block: "center" });
    } else {
      firstError.scrollIntoView({ block: "center" });
    }
    // Filled a moment later so that screen readers notice the change and read it.
    window.setTimeout(function () { live.textContent = firstError.textContent.trim(); }, 300);
  }
})();
