// The people picker (templates/includes/people_picker.html): the search box asks org's scoped
// endpoint as the user types (htmx); a result is a button that adds the person as a checked
// option. Keys: ↓/↑ move through the results, Enter picks, Esc closes. Without this file the
// 搜索 button posts the form back and the page lists the matches to tick.
(function () {
  if (window.zhenwuPeoplePicker) return; // the widget's script tag appears once per picker
  window.zhenwuPeoplePicker = true;

  function results(picker) { return picker.querySelector(".picker-results"); }
  function input(picker) { return picker.querySelector(".picker-input"); }
  function options(picker) { return Array.prototype.slice.call(picker.querySelectorAll(".picker-option")); }

  function close(picker) {
    results(picker).innerHTML = "";
  }

  function choose(picker, button) {
    var name = picker.dataset.name, id = button.dataset.id, multiple = picker.dataset.multiple === "1";
    var list = picker.querySelector(".picker-chosen");
    var existing = list.querySelector('input[value="' + id + '"]');
    if (!existing) {
      var item = document.createElement("li");
      item.className = "form-check";
      var box = document.createElement("input");
      box.className = "form-check-input";
      box.type = multiple ? "checkbox" : "radio";
      box.name = name;
      box.value = id;
      box.id = input(picker).id + "-" + id;
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = box.id;
      // The entry's own markup (name, unit, post, masked phone), drawn by the server and escaped there.
      Array.prototype.forEach.call(button.querySelectorAll(".picker-name, .picker-meta"), function (part) {
        label.appendChild(part.cloneNode(true));
        label.appendChild(document.createTextNode(" "));
      });
      item.appendChild(box);
      item.appendChild(label);
      list.appendChild(item);
      existing = box;
    }
    existing.checked = true;
    var field = input(picker);
    field.value = "";
    close(picker);
    // Back to the box for the next name, without its focus trigger reopening the list.
    if (document.activeElement !== field) picker.dataset.quiet = "1";
    field.focus({ preventScroll: true });
  }

  function setUp(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-picker]:not([data-ready])"), function (picker) {
      picker.dataset.ready = "1";
      // With JS the box searches by itself: its 搜索 button (the no-JS post-back) goes away, and
      // stops being the form's default button, so Enter elsewhere still submits the form.
      var button = picker.querySelector(".picker-nojs");
      if (button) button.remove();
      var box = input(picker);
      box.addEventListener("keydown", function (event) {
        var found = options(picker);
        if (event.key === "ArrowDown" && found.length) { event.preventDefault(); found[0].focus(); }
        else if (event.key === "Enter") { event.preventDefault(); if (found.length) choose(picker, found[0]); }
        else if (event.key === "Escape") { close(picker); }
      });
      results(picker).addEventListener("keydown", function (event) {
        var found = options(picker), at = found.indexOf(document.activeElement);
        if (at < 0) return;
        if (event.key === "ArrowDown") { event.preventDefault(); (found[at + 1] || found[at]).focus(); }
        else if (event.key === "ArrowUp") { event.preventDefault(); (at ? found[at - 1] : box).focus(); }
        else if (event.key === "Escape") { event.preventDefault(); close(picker); box.focus({ preventScroll: true }); }
      });
      // Focus leaving the picker (Tab, a click elsewhere, another field) closes its list.
      // Deferred: a browser that does not focus a clicked button (Safari) must still see the click.
      picker.addEventListener("focusout", function (event) {
        if (event.relatedTarget && picker.contains(event.relatedTarget)) return;
        setTimeout(function () { if (!picker.contains(document.activeElement)) close(picker); }, 200);
      });
      results(picker).addEventListener("click", function (event) {
        var option = event.target.closest(".picker-option");
        if (option) choose(picker, option);
      });
    });
  }

  // The endpoint reads `q`; the box is named <field>__q so that the no-JS post can tell pickers apart.
  document.addEventListener("htmx:configRequest", function (event) {
    var box = event.detail.elt;
    if (!box.classList || !box.classList.contains("picker-input")) return;
    var picker = box.closest("[data-picker]");
    if (picker.dataset.quiet) { delete picker.dataset.quiet; event.preventDefault(); return; }
    event.detail.parameters.q = box.value;
    delete event.detail.parameters[box.name];
  });
  // An answer that arrives after the user has moved on is not shown.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList.contains("picker-results")) return;
    var picker = target.closest("[data-picker]");
    if (!picker.contains(document.activeElement)) event.detail.shouldSwap = false;
  });
  // A click elsewhere closes an open list (focus moving between its own buttons does not).
  document.addEventListener("click", function (event) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (picker) {
      if (!picker.contains(event.target)) close(picker);
    });
  });
  function start() { setUp(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
