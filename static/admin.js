// Live preview on the admin desk: as the writer types, show the rendered Markdown and the
// tone findings. Optional: without JavaScript, "Save draft" / "Save and check" do the same.
document.querySelectorAll("textarea[data-preview-url]").forEach((area) => {
  const region = document.getElementById(area.dataset.previewTarget);
  const csrf = area.form.querySelector("input[name=_csrf]").value;
  let timer;
  area.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const status = area.form.querySelector("[name=status]");
      const response = await fetch(area.dataset.previewUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ body: area.value, status: status ? status.value : null }),
      });
      if (!response.ok) return;
      const data = await response.json();
      // The server rendered and sanitized this HTML (Markdown -> nh3), as on the public page.
      region.querySelector(".preview").innerHTML = data.html;
      const list = region.querySelector(".live-findings");
      list.replaceChildren(
        ...data.findings.map((f) => {
          const item = document.createElement("li");
          item.className = "finding " + (f.blocking ? "blocking" : "warning");
          item.textContent = `${f.blocking ? "Blocks" : "Warning"} · ${f.rule}: ${f.message}`;
          return item;
        }),
      );
      region.querySelector(".live-ok").hidden = data.findings.length > 0;
    }, 300);
  });
});
