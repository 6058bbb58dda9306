// xiaofating — the one script. Pages work without it; it only keeps countdowns current, warns
// about a file that is too large before it is sent, and suggests a dispute type as a claim is typed.
(function () {
  "use strict";
  var words = {
    "zh-CN": { days: "还剩 %n 天", hours: "还剩 %n 小时", minutes: "还剩 %n 分钟", passed: "已过截止时间" },
    en: { days: "%n days left", hours: "%n hours left", minutes: "%n minutes left", passed: "Deadline passed" }
  };

  // The same rule as the server (domain/next_step.rs, time_left): days from 72 h, hours from 1 h.
  function left(el) {
    var lang = words[el.getAttribute("data-countdown")] || words.en;
    var minutes = Math.floor((Date.parse(el.getAttribute("datetime")) - Date.now()) / 60000);
    if (isNaN(minutes)) return;
    var text;
    if (minutes <= 0) text = lang.passed;
    else if (minutes >= 72 * 60) text = lang.days.replace("%n", Math.floor(minutes / 1440));
    else if (minutes >= 60) text = lang.hours.replace("%n", Math.floor(minutes / 60));
    else text = lang.minutes.replace("%n", minutes);
    if (el.textContent !== text) el.textContent = text;
  }

  function tick() {
    var all = document.querySelectorAll("time[data-countdown]");
    for (var i = 0; i < all.length; i++) left(all[i]);
  }

  function checkSize(input) {
    var file = input.files && input.files[0];
    var video = file && /^video\//.test(file.type);
    var max = Number(input.getAttribute(video ? "data-max-video-bytes" : "data-max-bytes"));
    var tooBig = Boolean(max && file && file.size > max);
    input.setCustomValidity(tooBig ? input.getAttribute("data-too-big") : "");
    var note = document.getElementById(input.id + "-size");
    if (note) note.hidden = !tooBig;
    return !tooBig;
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[type=file][data-max-bytes]")) checkSize(e.target);
  });
  document.addEventListener("submit", function (e) {
    var inputs = e.target.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      if (!checkSize(inputs[i])) {
        e.preventDefault();
        inputs[i].focus();
        return;
      }
    }
  });

  // The filing form: as the claimant writes, ask the court what the statement looks like; preselect
  // a sure suggestion until the claimant picks a type themselves (the server asks again without JS).
  function suggestType(fieldset) {
    var form = fieldset.form || fieldset.closest("form");
    var statement = form.querySelector("[name=statement]");
    var note = document.getElementById("type-suggestion");
    var picked = Boolean(form.querySelector("input[name=dispute_type]:checked"));
    var timer = null;
    fieldset.addEventListener("change", function () { picked = true; });
    function ask() {
      if (statement.value.trim().length < 10) return;
      var body = new URLSearchParams();
      body.set("csrf_token", form.querySelector("[name=csrf_token]").value);
      body.set("statement", statement.value);
      body.set("category", (form.querySelector("[name=category]") || {}).value || "");
      fetch(fieldset.getAttribute("data-suggest"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s || picked) return;
          note.textContent = s.text;
          var choice = s.preselect && form.querySelector("input[name=dispute_type][value=" + s.preselect + "]");
          if (choice) choice.checked = true;
        })
        .catch(function () {});
    }
    statement.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 700);
    });
  }
  var typeChoice = document.querySelector("fieldset[data-suggest]");
  if (typeChoice) suggestType(typeChoice);

  tick();
  setInterval(tick, 30000);
})();
