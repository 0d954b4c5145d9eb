// Polls a job's status URL and updates the header; slower when the tab is hidden.

const VISIBLE_MS = 1500;
const HIDDEN_MS = 15000;

function formatEta(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

export function renderStatus(root, status) {
  root.dataset.status = status.status;
  const badge = root.querySelector("[data-role=status]");
  badge.textContent = status.status.charAt(0).toUpperCase() + status.status.slice(1);
  badge.className = `badge status-${status.status}`;
  root.querySelector("[data-role=step]").textContent = status.step || "";
  const bar = root.querySelector("progress");
  bar.max = status.total || 1;
  bar.value = status.done;
  root.querySelector("[data-role=counts]").textContent = `${status.done} / ${status.total}`;
  root.querySelector("[data-role=eta]").textContent = formatEta(status.eta_seconds);
  const error = root.querySelector("[data-role=error]");
  error.hidden = !status.error;
  error.textContent = status.error || "";
  root.querySelector("[data-role=progress]").hidden = status.is_final;
}

export function pollStatus(root, onFinal) {
  const url = root.dataset.statusUrl;
  let timer = null;
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const status = await response.json();
        renderStatus(root, status);
        if (status.is_final) {
          onFinal(status);
          return;
        }
      }
    } catch (error) {
      console.warn("status poll failed", error);
    }
    timer = setTimeout(tick, document.hidden ? HIDDEN_MS : VISIBLE_MS);
  };
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer !== null) {
      clearTimeout(timer);
      tick();
    }
  });
  tick();
}
