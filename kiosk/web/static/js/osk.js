// The on-screen keyboard (templates/door/_osk.html): for touchscreens with no system keyboard.
// It opens when a field marked data-osk is tapped, types at the caret, and steps aside as soon
// as someone uses a physical keyboard. No inline scripts or styles (the CSP forbids them).
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
    // Scroll so the field sits above the keyboard, never behind it.
    var rect = field.getBoundingClientRect();
    var visibleBottom = window.innerHeight - osk.offsetHeight - 16;
    if (rect.bottom > visibleBottom) {
      window.scrollBy(0, rect.bottom - visibleBottom);
    } else if (rect.top < 8) {
      window.scrollBy(0, rect.top - 8);
    }
  }

  function show(field) {
    target = field;
    manualShift = false;
    osk.hidden = false;
    body.classList.add("osk-open");
    // Room below the form, so the last fields can scroll up above the keyboard.
    body.style.paddingBottom = osk.offsetHeight + "px";
    updateEnterLabel();
    autoShift();
    keepInView(field);
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
  osk.addEventListener("pointerdown", function (event) { event.preventDefault(); });
  osk.addEventListener("mousedown", function (event) { event.preventDefault(); });
  // The tap that opens the keyboard must not also press a key: on a small screen the keyboard
  // can slide in under the finger, and the tap's click then lands on a key. A click that
  // belongs to the pointer that opened the keyboard is ignored; any press on the keyboard
  // itself clears that.
  var openingPointer = null;
  osk.addEventListener("pointerdown", function () {
    openingPointer = null;
  });

  osk.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (openingPointer !== null && event.pointerId === openingPointer) {
      openingPointer = null;
      return;
    }
    if (target && document.activeElement !== target) target.focus({ preventScroll: true });
    press(button);
  });

  // A tap on a field opens the keyboard for it.
  document.addEventListener("pointerdown", function (event) {
    var field = event.target.closest && event.target.closest("input[data-osk]");
    if (field) {
      openingPointer = event.pointerId;
      show(field);
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
