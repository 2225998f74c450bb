// "返回上一页" on the error pages. The policy forbids javascript: links, so the link goes home
// by itself and this steps back instead when there is a page to go back to.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-back]");
  if (link && document.referrer && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
