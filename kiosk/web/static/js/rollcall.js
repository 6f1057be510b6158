// The fire roll call on a phone: a tap ticks a person accounted for, saved at once and
// shown on every host's list through the staff live stream, with the count still missing.
// Without this script the tick buttons still work as plain form posts.
(function () {
  "use strict";
  var form = document.getElementById("tick-form");
  var count = document.getElementById("roll-count");
  if (!form || !count) return;

  function show(visitId, accounted) {
    var row = document.getElementById("visit-" + visitId);
    if (!row) return;
    row.classList.toggle("accounted", accounted);
    var button = row.querySelector(".tick-button");
    button.setAttribute("aria-pressed", accounted ? "true" : "false");
    button.value = visitId + ":" + (accounted ? "0" : "1");
  }

  function recount() {
    var total = parseInt(count.getAttribute("data-total"), 10) || 0;
    var left = total - document.querySelectorAll(".roll-table tr.accounted").length;
    count.textContent = left > 0
      ? count.getAttribute("data-text-some").replace("{n}", left).replace("{total}", total)
      : count.getAttribute("data-text-none");
    count.classList.toggle("all-safe", left === 0);
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !window.fetch) return;
    event.preventDefault();
    var parts = button.value.split(":");
    var data = new FormData(form);
    data.set("tick", button.value);
    show(parts[0], parts[1] === "1"); // at once under the finger; the server confirms
    recount();
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).then(function (answer) {
      show(answer.visit_id, answer.accounted);
      recount();
    }).catch(function () {
      show(parts[0], parts[1] !== "1"); // not saved: put it back as it was
      recount();
    });
  });

  if (window.EventSource) {
    var source = new EventSource(form.getAttribute("data-stream-url"));
    source.addEventListener("open", function () { document.body.setAttribute("data-live", "open"); });
    source.addEventListener("rollcall", function (event) {
      var data = JSON.parse(event.data);
      show(data.visit_id, data.accounted);
      recount();
    });
  }
  recount();
})();
