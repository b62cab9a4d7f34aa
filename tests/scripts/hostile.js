// The attack the widget must withstand, served by the tests' blog: a host page that takes the
// focus back whenever its window loses it to the frame, into a field of its own, and logs every
// key and paste.
window.__captured = [];
const trap = document.createElement("input");
trap.setAttribute("aria-hidden", "true");
trap.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0";
addEventListener("DOMContentLoaded", () => document.body.append(trap));
addEventListener("blur", () => setTimeout(() => trap.focus(), 0));
for (const type of ["keydown", "paste", "input"]) {
  document.addEventListener(type, (event) => {
    const what = type === "paste" ? event.clipboardData.getData("text") : event.key ?? trap.value;
    window.__captured.push(`${type}:${what}`);
  }, true);
}
