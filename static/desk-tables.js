// Tables on a phone: admin.css stacks each row, one cell under the other, so no column is
// cut off at 390 px. Each cell is labelled with its column's header here; the roles keep
// the table a table for screen readers once its rows are no longer drawn as a grid.
// Without this script the cells still stack, in order, without their labels.
document.querySelectorAll(".admin main table").forEach((table) => {
  const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  table.setAttribute("role", "table");
  table.querySelectorAll("tr").forEach((row) => row.setAttribute("role", "row"));
  table.querySelectorAll("thead th").forEach((th) => th.setAttribute("role", "columnheader"));
  table.querySelectorAll("tbody tr").forEach((row) => {
    [...row.children].forEach((cell, index) => {
      cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
      // A cell across columns ("No subscribers here yet.") is not one column's value.
      if (cell.colSpan > 1 || cell.dataset.label) return;
      if (headers[index]) cell.dataset.label = headers[index];
    });
  });
});
