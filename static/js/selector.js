/* Selector: progressive enhancement only. Every page works without this file.
   No inline script anywhere: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  // Copy buttons: <button data-copy="input-id" data-copied="Copied" hidden>
  function copyFrom(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var label = button.textContent;
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
      });
    } else {
      field.select();
      try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected: copy by hand */ }
    }
  }

  // Forms that ask before they act: <form data-confirm="Are you sure?">
  function confirmSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }

  // Forms submit once: a double click must not send the same change twice.
  function submitOnce(event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
    if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "1");
    window.setTimeout(function () { form.removeAttribute("data-submitted"); }, 4000);
  }

  // A table wider than the screen scrolls inside its frame; a keyboard user reaches that
  // scroll only when the frame can take focus (WCAG 2.1.1), so frames that scroll get a
  // tab stop and the others none.
  function focusScrollingFrames() {
    document.querySelectorAll(".table-wrap").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth) {  // as axe-core counts it: no tolerance
        frame.setAttribute("tabindex", "0");
      } else {
        frame.removeAttribute("tabindex");
      }
    });
  }

  document.addEventListener("submit", confirmSubmit);
  window.addEventListener("resize", focusScrollingFrames);
  // A table may widen after the first layout (a web font arrives, a disclosure opens):
  // whenever a frame or its table changes size, ask again whether it scrolls.
  window.addEventListener("load", focusScrollingFrames);
  if ("ResizeObserver" in window) {
    document.addEventListener("DOMContentLoaded", function () {
      var observer = new ResizeObserver(focusScrollingFrames);
      document.querySelectorAll(".table-wrap").forEach(function (frame) {
        observer.observe(frame);
        if (frame.firstElementChild) { observer.observe(frame.firstElementChild); }
      });
    });
  }
  document.addEventListener("submit", submitOnce);

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copyFrom(button); });
    });
    document.querySelectorAll("[data-dismiss]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var message = button.closest(".flash");
        if (message) { message.remove(); }
      });
    });
    focusScrollingFrames();
    // Put the keyboard where the problem is: the first field with an error.
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });
})();
