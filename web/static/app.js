// Copy-citation buttons. The page works without this script; it only adds the clipboard.
"use strict";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const label = button.textContent;
  copyText(button.dataset.copy).then(
    () => { button.textContent = button.dataset.copied || "Copied"; button.classList.add("done"); },
    () => { button.textContent = button.dataset.copyFailed || "Press Ctrl+C"; }
  ).finally(() => setTimeout(() => {
    button.textContent = label;
    button.classList.remove("done");
  }, 2000));
});
