// The slip's QR code carries the code after "#": browsers never send that part to the server,
// so the code is not written into any access log. Copy it into the form and clear the address.
(function () {
  var code = decodeURIComponent((window.location.hash || "").slice(1));
  var input = document.getElementById("id_code");
  if (code && input && !input.value) {
    input.value = code;
    history.replaceState(null, "", window.location.pathname);
  }
})();
