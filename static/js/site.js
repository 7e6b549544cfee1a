// Small enhancements to the staff forms. Every page works without them: this file
// only moves focus, hides what does not apply, and counts characters.
(function () {
  "use strict";

  // After a failed post, the error summary takes the focus (a screen reader reads it).
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // Filters are folded away on a phone; on a wide screen they are simply shown.
  if (window.matchMedia("(min-width: 48rem)").matches) {
    document.querySelectorAll("details.filter-panel").forEach(function (panel) {
      panel.open = true;
    });
  }

  // A field with an error is never folded away (the grouped Pasal 17 grounds).
  document.querySelectorAll(".has-error details").forEach(function (folded) {
    folded.open = true;
  });

  // Only the period fields of the chosen type; without JavaScript all of them show.
  var uses = {
    fixed: ["period_years"],
    until_date: ["period_until"],
    until_event: ["period_event", "period_until"],
    indefinite: []
  };
  function showPeriod() {
    var chosen = document.querySelector("input[name=period_type]:checked");
    ["period_years", "period_until", "period_event"].forEach(function (name) {
      var input = document.getElementById("id_" + name);
      var box = input && input.closest(".field");
      if (box) {
        box.hidden = chosen ? (uses[chosen.value] || []).indexOf(name) === -1 : false;
      }
    });
  }
  document.querySelectorAll("input[name=period_type]").forEach(function (radio) {
    radio.addEventListener("change", showPeriod);
  });
  showPeriod();

  // A form is sent once: after the first click its buttons are disabled, so a double
  // click sends one post (the server also refuses a second post of the same form).
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // After this event: the button that was pressed is still sent with the form.
      window.setTimeout(function () {
        setSubmitButtons(form, true);
      }, 0);
      // A post that answers with a download leaves the page as it was: usable again later.
      window.setTimeout(function () {
        delete form.dataset.sent;
        setSubmitButtons(form, false);
      }, 8000);
    });
  });
  function setSubmitButtons(form, disabled) {
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
      if (button.type === "submit") {
        button.disabled = disabled;
      }
    });
  }
  // Back to a page from the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
      setSubmitButtons(form, false);
    });
  });

  // A counter under each text box that has a limit.
  document.querySelectorAll("textarea[maxlength]").forEach(function (box) {
    var counter = document.createElement("small");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    function update() {
      counter.textContent = box.value.length + " / " + box.maxLength;
    }
    box.addEventListener("input", update);
    update();
  });
})();
