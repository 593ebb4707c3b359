// Visit form enhancements. The form works without this file: the position is optional
// and the attestation note is printed by the server.
(function () {
  "use strict";

  function setUpPosition() {
    var button = document.querySelector("[data-geo]");
    var status = document.querySelector("[data-geo-status]");
    if (!button || !status || !("geolocation" in navigator)) return;
    var fields = {
      latitude: document.getElementById("id_latitude"),
      longitude: document.getElementById("id_longitude"),
      accuracy: document.getElementById("id_accuracy"),
    };
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = button.dataset.busy;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var c = position.coords;
          fields.latitude.value = c.latitude.toFixed(6);
          fields.longitude.value = c.longitude.toFixed(6);
          fields.accuracy.value = Math.round(c.accuracy);
          status.textContent = button.dataset.done.replace("%(accuracy)s", Math.round(c.accuracy));
          button.disabled = false;
        },
        function () {
          fields.latitude.value = fields.longitude.value = fields.accuracy.value = "";
          status.textContent = button.dataset.failed;
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
      );
    });
  }

  function setUpAttestations() {
    var box = document.getElementById("attestations");
    var note = document.querySelector("[data-all-six]");
    if (!box || !note) return;
    var inputs = box.querySelectorAll("input[type=checkbox]");
    function update() {
      var ticked = Array.prototype.filter.call(inputs, function (i) { return i.checked; });
      var all = ticked.length === inputs.length;
      note.textContent = all ? note.dataset.yes : note.dataset.no;
      note.className = "counts " + (all ? "good" : "bad");
      note.hidden = ticked.length === 0;  // say nothing until the cadre starts ticking
    }
    Array.prototype.forEach.call(inputs, function (i) { i.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPosition();
    setUpAttestations();
  });
})();
