// Every page: form behaviour declared in the markup, so that no template needs an inline handler
// (the Content-Security-Policy allows no inline script). <form data-confirm="question"> asks
// before it is sent; a control with data-submit-on-change sends its form when its value changes.

document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

document.addEventListener("change", (event) => {
  if (event.target.matches?.("[data-submit-on-change]")) event.target.form?.requestSubmit();
});
