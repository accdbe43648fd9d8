// Midang console: the only script of its pages (no inline script is allowed by their policy).
(function () {
  "use strict";

  // Charts: an element [data-chart] carries its data in data-chart-data (JSON the console made from the server's answer).
  function charts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var d = JSON.parse(el.dataset.chartData);
      var chart = echarts.init(el);
      if (el.dataset.chart === "reports") {
        chart.setOption({ animation: false, title: { text: d.titles.reports, left: "center" }, tooltip: {},
          series: [{ type: "pie", radius: ["35%", "65%"], data: d.reports }] });
      } else {
        chart.setOption({ animation: false, title: { text: d.titles.findings, left: "center" }, tooltip: {},
          xAxis: { type: "category", data: d.severities }, yAxis: { type: "value", minInterval: 1 },
          series: [{ type: "bar", data: d.findings, itemStyle: { color: "#a61b1b" } }] });
      }
    });
  }

  // Upload: every form.upload (the home page's drop box; a rectification report beside its finding). Drag and drop or the
  // file picker; the bytes go to the console with progress, which seals, signs and uploads them.
  function upload(root) {
    root.querySelectorAll("form.upload").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      var drop = form.querySelector(".drop"), input = form.querySelector("input.file");
      var bar = form.querySelector(".upload-progress"), out = form.querySelector(".upload-result");
      function send(file) {
        var q = new URLSearchParams();
        ["campaign", "kind", "unit", "finding"].forEach(function (n) {
          var f = form.elements[n];
          if (f && f.value) q.set(n, f.value);
        });
        var xhr = new XMLHttpRequest();
        xhr.open("POST", "/upload?" + q.toString());
        xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
        bar.hidden = false;
        bar.value = 0;
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
        xhr.onload = function () {
          var body = {};
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = { error: xhr.statusText }; }
          out.textContent = body.message || body.error || "";
          out.className = "upload-result " + (xhr.status === 201 ? "verified" : "late");
          if (xhr.status === 201) out.dataset.id = body.id;
        };
        xhr.send(file);
      }
      input.addEventListener("change", function () { if (input.files.length) send(input.files[0]); });
      if (drop) {
        drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
        drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
        drop.addEventListener("drop", function (e) {
          e.preventDefault();
          drop.classList.remove("over");
          if (e.dataTransfer.files.length) send(e.dataTransfer.files[0]);
        });
      }
    });
  }

  // Print: the results page's button (no inline handlers: the policy allows none); the print stylesheet hides the controls.
  function print(root) {
    root.querySelectorAll("[data-print]").forEach(function (b) {
      if (b.dataset.ready) return;
      b.dataset.ready = "1";
      b.addEventListener("click", function () { window.print(); });
    });
  }

  // A campaign's definition read from a chosen file into the page's text box (it is sent as text, never as a file).
  function definition(root) {
    var input = root.querySelector("#definition-file");
    if (!input || input.dataset.ready) return;
    input.dataset.ready = "1";
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      var file = input.files[0];
      file.text().then(function (text) {
        root.querySelector("#definition").value = text;
        root.querySelector("#definition-name").value = file.name;
      });
    });
  }

  function init(root) { charts(root); upload(root); print(root); definition(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(document); });
})();
