// StreetBrain page behaviour. No inline scripts anywhere (the content security policy forbids
// them): pages pass data through <script type="application/json"> elements.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.createElement("div");
  box.className = "msg msg-error";
  box.setAttribute("role", "alert");
  box.textContent = (document.documentElement.lang || "").indexOf("zh") === 0
    ? "请求失败（" + evt.detail.xhr.status + "），请稍后重试。"
    : "Request failed (" + evt.detail.xhr.status + "). Please try again.";
  var main = document.querySelector("main.content");
  if (main) main.prepend(box);
});
