// The saved trip's "Copy the link" and "Share…" buttons. Without this file the
// link stays a plain link; each button shows only where the browser can do it.
document.querySelectorAll("[data-share]").forEach((box) => {
  const link = box.querySelector("[data-share-url]");
  const buttons = box.querySelector(".share-buttons");
  const copy = box.querySelector("[data-copy]");
  const share = box.querySelector("[data-system-share]");
  const status = box.querySelector("[data-share-status]");
  if (!link || !buttons) return;
  const url = link.href;

  if (copy && navigator.clipboard && window.isSecureContext) {
    buttons.hidden = false;
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url);
        status.textContent = copy.dataset.done;
      } catch {
        status.textContent = copy.dataset.failed;
      }
    });
  } else if (copy) {
    copy.hidden = true;
  }

  if (share && navigator.share) {
    buttons.hidden = false;
    share.hidden = false;
    share.addEventListener("click", () => {
      // A cancelled share sheet rejects; there is nothing to tell the reader then.
      navigator.share({ title: share.dataset.title, url }).catch(() => {});
    });
  }
});
