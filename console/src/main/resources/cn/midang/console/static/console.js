// Midang console: the only script of its pages (no inline script is allowed by their policy).
(function () {
  "use strict";

  // Charts: an element [data-chart] carries its data in data-chart-data (JSON the console made from the server's answer).
  // Drawn in the frame after the page is first shown: the totals and the table of units do not wait for ECharts (the mark
  // "midang-charts-drawn" says when the charts are; the console benchmark reads it).
  function charts(root) {
    if (typeof echarts === "undefined") return;
    var pending = Array.prototype.filter.call(root.querySelectorAll("[data-chart]"), function (el) { return !el.dataset.drawn; });
    if (!pending.length) return;
    pending.forEach(function (el) { el.dataset.drawn = "1"; });
    requestAnimationFrame(function () {
      pending.forEach(draw);
      performance.mark("midang-charts-drawn");
    });
  }

  function draw(el) {
    var d = JSON.parse(el.dataset.chartData);
    var chart = echarts.init(el);
    var kind = el.dataset.chart, base = { animation: false, title: { text: d.titles[kind], left: "center" }, tooltip: {} };
    var value = { type: "value", minInterval: 1 };
    if (kind === "reports") {
      base.series = [{ type: "pie", radius: ["35%", "65%"], data: d.reports }];
    } else if (kind === "findings") {
      base.xAxis = { type: "category", data: d.severities };
      base.yAxis = value;
      base.series = [{ type: "bar", data: d.findings, itemStyle: { color: "#a61b1b" } }];
    } else if (kind === "timeline") {
      base.xAxis = { type: "category", data: d.timeline.days };
      base.yAxis = value;
      base.series = [{ type: "line", step: "end", data: d.timeline.reports }];
    } else if (kind === "answers") {
      // Check areas down the side: their Chinese names read whole there.
      base.legend = { bottom: 0 };
      base.grid = { left: 8, right: 16, top: 36, bottom: 32, containLabel: true };
      base.yAxis = { type: "category", data: d.answers.areas, inverse: true, axisLabel: { interval: 0 } };
      base.xAxis = value;
      base.series = Object.keys(d.answers.series).map(function (a) {
        return { type: "bar", name: a, stack: "answers", data: d.answers.series[a] };
      });
    } else if (kind === "findingsByArea") {
      base.grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
      base.yAxis = { type: "category", data: d.findingsByArea.areas, inverse: true, axisLabel: { interval: 0 } };
      base.xAxis = value;
      base.series = [{ type: "bar", data: d.findingsByArea.counts, itemStyle: { color: "#a61b1b" } }];
    }
    chart.setOption(base);
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
