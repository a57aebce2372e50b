// The admin center's only script (progressive enhancement): "Copy" buttons copy the field they name.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copied");
  field.select();
  navigator.clipboard.writeText(field.value).then(
    () => { if (status) status.textContent = "Copied"; },
    () => { if (status) status.textContent = "Select the text and copy it"; },
  );
});
