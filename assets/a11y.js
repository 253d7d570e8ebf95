/* What assistive technology needs and Dash 4's own components do not give (axe-core checks it:
   tests/browser/test_accessibility.py). Run shortly after the page changes.

   - <html lang>: the page's language, from the page's root (/consult, /tablet, /duty and
     /resources set `lang` on it; the header links move between pages without a reload).
     Chinese elsewhere.
   - RadioItems and Checklist draw a role=listbox of <label role=option>, each holding a real
     radio or checkbox: an option may not hold a focusable control. Their native semantics
     (a label around an input) are what a screen reader needs, so the roles go, and the list
     becomes a radiogroup or a group. (A Dropdown's open menu keeps its listbox: its button
     announces one, and people pick its options by role.)
   - A Dropdown puts an aria-hidden input before its button as the Tab stop (for Safari): a
     focusable element hidden from assistive technology. The button itself takes Tab instead.
   - DataTable's page buttons are icons without a name; Upload's file input has no label.
   - A panel whose content overflows scrolls: keyboard users reach it with Tab (a named region)
     when nothing inside it takes focus. */
(function () {
  const PAGER = {
    "first-page": ["首页", "First page"],
    "previous-page": ["上一页", "Previous page"],
    "next-page": ["下一页", "Next page"],
    "last-page": ["末页", "Last page"],
  };
  const DONE = "data-a11y";

  function language() {
    const root = document.querySelector("#_pages_content > [lang]");
    const lang = root ? root.getAttribute("lang") : "zh-CN";
    if (document.documentElement.lang !== lang) { document.documentElement.lang = lang; }
    return lang === "en" ? 1 : 0;
  }

  const CHOICES = ".dash-radioitems, .dash-checklist";

  function optionLists() {
    document.querySelectorAll(`:is(${CHOICES})[role=listbox]`).forEach((list) => {
      list.setAttribute("role", list.classList.contains("dash-radioitems") ? "radiogroup" : "group");
    });
    document.querySelectorAll(`:is(${CHOICES}) .dash-options-list-option[role=option]`)
      .forEach((option) => {
        option.removeAttribute("role");
        option.removeAttribute("aria-selected");
      });
  }

  function dropdowns() {
    document.querySelectorAll(`.dash-dropdown-focus-target:not([${DONE}])`).forEach((proxy) => {
      proxy.setAttribute(DONE, "");
      proxy.disabled = true;
      const button = proxy.nextElementSibling;
      if (button && button.tagName === "BUTTON") { button.tabIndex = 0; }
    });
  }

  function names(en) {
    document.querySelectorAll(".previous-next-container button:not([aria-label])").forEach((b) => {
      const kind = Object.keys(PAGER).find((k) => b.classList.contains(k));
      if (kind) { b.setAttribute("aria-label", PAGER[kind][en]); }
    });
    document.querySelectorAll("input[type=file]:not([aria-label])").forEach((input) => {
      const zone = input.parentElement;
      const text = zone ? zone.innerText.split("\n")[0].trim() : "";
      input.setAttribute("aria-label", text || (en ? "Choose a file" : "选择文件"));
    });
    // Dash 4's Slider thumbs take no aria settings: name them after their slider's
    // data-label (e.g. the consult room's replay scrubber), else plainly.
    document.querySelectorAll(".dash-slider-thumb:not([aria-label])").forEach((thumb) => {
      const owner = thumb.closest("[data-label]");
      const label = owner ? owner.getAttribute("data-label") : "";
      thumb.setAttribute("aria-label", label || (en ? "Slider" : "滑块"));
    });
  }

  const SCROLLERS = ".panel-body, .duty-log, .handovers, .rollcall-history, .roster-errors";
  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  function scrollers() {
    document.querySelectorAll(SCROLLERS).forEach((el) => {
      const mine = el.hasAttribute(DONE);
      const style = window.getComputedStyle(el);
      const scrolls = /auto|scroll/.test(style.overflowY + style.overflowX)
        && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1);
      if (scrolls && !mine && !el.hasAttribute("tabindex") && !el.querySelector(FOCUSABLE)) {
        el.setAttribute(DONE, "");
        el.tabIndex = 0;
        // A list keeps its role (its items need it); a panel's body becomes a named region.
        const heading = el.tagName === "DIV" && el.closest(".panel")?.querySelector("h2");
        if (heading) {
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", heading.textContent.trim());
        }
      } else if (mine && !scrolls) {
        el.removeAttribute(DONE);
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
      }
    });
  }

  let queued = false;
  function mend() {
    queued = false;
    const en = language();
    optionLists();
    dropdowns();
    names(en);
    scrollers();
  }

  // At most four times a second: the live pages redraw every second, plotly and Leaflet
  // change the DOM on every frame of an animation, and none of this is urgent to the eye.
  // The language at once (one lookup): a screen reader picks its voice from it as it reads.
  function queue() {
    language();
    if (!queued) { queued = true; window.setTimeout(mend, 250); }
  }

  function start() {
    new MutationObserver(queue).observe(document.body, {childList: true, subtree: true});
    window.addEventListener("resize", queue);
    queue();
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
