// The on-screen keyboard (templates/door/_osk.html): for touchscreens with no system keyboard.
// It opens when a field marked data-osk is tapped, types at the caret, and steps aside as soon
// as someone uses a physical keyboard. No inline scripts or styles (the CSP forbids them).
//
// It opens on the tap's click, after the finger has lifted, never on touch-down: a keyboard
// that appears under a finger still on the glass would take that same touch as a key press.
// And a key acts only when the press started on the keyboard itself.
(function () {
  "use strict";
  var osk = document.getElementById("osk");
  if (!osk) return;
  var body = document.body;
  var enterKey = osk.querySelector("[data-action='enter']");
  var shiftKey = osk.querySelector("[data-action='shift']");
  var target = null;   // the field being typed into
  var shifted = false; // one capital letter, then back to small
  var manualShift = false;
  var pressStarted = false; // a pointer went down on the keyboard since it opened

  function fields() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-osk]"));
  }

  function nextField(field) {
    var all = fields();
    var index = all.indexOf(field);
    return index >= 0 && index < all.length - 1 ? all[index + 1] : null;
  }

  function setShift(on) {
    shifted = on;
    osk.classList.toggle("osk-shifted", on);
    shiftKey.setAttribute("aria-pressed", on ? "true" : "false");
  }

  // Capitals where people expect them: names start each word with one, sentences the first.
  function autoShift() {
    if (!target || manualShift) return;
    var mode = target.getAttribute("autocapitalize") || "off";
    var before = target.value.slice(0, target.selectionStart || 0);
    if (mode === "words") {
      setShift(before === "" || /[\s-]$/.test(before));
    } else if (mode === "sentences") {
      setShift(before.trim() === "");
    } else {
      setShift(false);
    }
  }

  function updateEnterLabel() {
    var label = nextField(target) ? osk.getAttribute("data-label-next") : osk.getAttribute("data-label-done");
    enterKey.textContent = label;
  }

  function keepInView(field) {
    // Scroll so the field and its label sit above the keyboard, never behind it.
    if (!field || osk.hidden) return;
    var box = field.closest(".field") || field;
    var rect = field.getBoundingClientRect();
    var top = Math.min(rect.top, box.getBoundingClientRect().top);
    var visibleBottom = window.innerHeight - osk.offsetHeight - 12;
    if (rect.bottom > visibleBottom) {
      // The label too, if there is room for both.
      var by = rect.bottom - visibleBottom;
      if (top - by < 8) by = Math.max(rect.bottom - visibleBottom, 0);
      window.scrollBy(0, by);
    } else if (top < 8) {
      window.scrollBy(0, top - 8);
    }
  }

  function show(field) {
    if (osk.hidden) pressStarted = false;
    target = field;
    manualShift = false;
    osk.hidden = false;
    body.classList.add("osk-open");
    // Room below the form, so the last fields can scroll up above the keyboard.
    body.style.paddingBottom = osk.offsetHeight + "px";
    updateEnterLabel();
    autoShift();
    keepInView(field);
    // Once more after the browser has laid the page out with the keyboard in it.
    window.requestAnimationFrame(function () { keepInView(target); });
  }

  function hide() {
    osk.hidden = true;
    body.classList.remove("osk-open");
    body.style.paddingBottom = "";
    target = null;
  }

  function changed() {
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insert(text) {
    var max = target.maxLength;
    if (max > 0 && target.value.length - (target.selectionEnd - target.selectionStart) >= max) return;
    var start = target.selectionStart;
    var end = target.selectionEnd;
    target.setRangeText(text, start, end, "end");
    changed();
  }

  function backspace() {
    var start = target.selectionStart;
    var end = target.selectionEnd;
    if (start === end) {
      if (start === 0) return;
      start -= 1;
    }
    target.setRangeText("", start, end, "end");
    changed();
  }

  function press(button) {
    if (!target) return;
    var action = button.getAttribute("data-action");
    var key = button.getAttribute("data-key");
    if (key) {
      insert(shifted ? key.toUpperCase() : key);
      manualShift = false;
      autoShift();
    } else if (action === "space") {
      insert(" ");
      autoShift();
    } else if (action === "backspace") {
      backspace();
      autoShift();
    } else if (action === "shift") {
      manualShift = !shifted;
      setShift(!shifted);
    } else if (action === "enter") {
      var next = nextField(target);
      if (next) {
        next.focus({ preventScroll: true });
        show(next);
      } else {
        var form = target.form;
        hide();
        var submit = form && form.querySelector("[type='submit']");
        if (submit) submit.scrollIntoView({ block: "nearest" });
      }
    } else if (action === "hide") {
      hide();
    }
  }

  // Keys must not take the focus from the field: stop the press from moving it, act on click.
  osk.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    pressStarted = true;
  });
  osk.addEventListener("mousedown", function (event) { event.preventDefault(); });
  osk.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    // A click whose press began elsewhere (the tap that opened the keyboard) types nothing.
    // detail 0: a click from assistive technology, which has no press.
    if (!pressStarted && event.detail !== 0) return;
    pressStarted = false;
    if (target && document.activeElement !== target) target.focus({ preventScroll: true });
    press(button);
  });

  // A tap on a field opens the keyboard for it, once the finger has lifted.
  document.addEventListener("click", function (event) {
    var field = event.target.closest && event.target.closest("input[data-osk]");
    if (field) show(field);
  });
  window.addEventListener("resize", function () {
    if (!osk.hidden) {
      body.style.paddingBottom = osk.offsetHeight + "px";
      keepInView(target);
    }
  });

  // Focus moving elsewhere: follow it to another field, or step aside.
  document.addEventListener("focusin", function (event) {
    if (osk.hidden || osk.contains(event.target)) return;
    if (event.target.matches && event.target.matches("input[data-osk]")) {
      if (event.target !== target) show(event.target);
    } else {
      hide();
    }
  });

  // Typing on a real keyboard: the on-screen one is not needed.
  document.addEventListener("keydown", function (event) {
    if (event.isTrusted && !osk.hidden) hide();
  });

  // The caret moved by a tap inside the field: capitals follow it.
  document.addEventListener("selectionchange", function () {
    if (target && document.activeElement === target) autoShift();
  });
})();
