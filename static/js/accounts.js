// The accounts pages: a confirmation before a step that cannot be undone quietly, and the unit
// field shown only for the roles that are bounded by a unit (the server checks both anyway).
(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  var role = document.querySelector("select[data-scoped-roles]");
  var unit = document.getElementById("id_unit");
  if (!role || !unit) {
    return;
  }
  var scoped = role.dataset.scopedRoles.split(" ");
  var row = unit.closest(".mb-3");
  var note = document.getElementById("unit-not-needed");
  function sync() {
    var needed = scoped.indexOf(role.value) >= 0;
    var required = row.querySelector(".unit-required");
    if (required) {
      required.hidden = !needed;
    }
    if (note) {
      note.hidden = needed;
    }
  }
  role.addEventListener("change", sync);
  sync();
})();
