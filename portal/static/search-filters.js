// The search page's filters on narrow screens, after GOV.UK's filter pattern.
//
// Without JavaScript the filters are a <details> ("Filter results"), closed, so the results come first on a
// phone; on wide screens the CSS shows its content as a column. With JavaScript the <details> becomes a
// "Show filters" button (aria-expanded, aria-controls) that shows and hides the same panel on narrow screens,
// and the panel is always shown on wide ones. Loaded as a file, never inline, so a Content-Security-Policy
// without 'unsafe-inline' allows it.

const WIDE = "(min-width: 40.0625em)"; // GOV.UK Frontend's tablet breakpoint, where the grid columns sit side by side

function enhance(details) {
  const panel = details.querySelector(".piblinell-filters__panel");
  if (!panel) return;
  const { showText, hideText, appliedText } = details.dataset;
  const wide = window.matchMedia(WIDE);

  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary piblinell-filters__toggle";
  button.id = "filter-toggle";
  button.setAttribute("aria-controls", panel.id);
  button.setAttribute("aria-expanded", "false");

  const wrapper = document.createElement("div");
  wrapper.className = "piblinell-filters piblinell-filters--enhanced";
  wrapper.id = details.id;
  wrapper.append(button, panel);
  details.replaceWith(wrapper);

  function label(expanded) {
    const text = expanded ? hideText : showText;
    return appliedText ? `${text} (${appliedText})` : text;
  }

  function layout() {
    const expanded = button.getAttribute("aria-expanded") === "true";
    button.hidden = wide.matches;
    panel.hidden = !wide.matches && !expanded;
    button.textContent = label(expanded);
  }

  button.addEventListener("click", () => {
    const expanded = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(expanded));
    layout();
  });
  wide.addEventListener("change", layout);
  layout();
}

document.querySelectorAll("details[data-piblinell-filters]").forEach(enhance);
