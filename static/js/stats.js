/* Dashboard and pivot charts (ECharts, vendored). Clicking a bar or slice opens the filtered order list. */
(function () {
  "use strict";
  // The dashboard's figures (#stats-charts), or the pivot page's result (#pivot-data).
  var node = document.getElementById("stats-charts");
  var pivot = document.getElementById("pivot-data");
  if (!(node || pivot) || !window.echarts) { return; }
  var data = node ? JSON.parse(node.textContent) : {};
  if (pivot && !data.pivot) { data.pivot = JSON.parse(pivot.textContent); }
  var charts = [];

  function make(id, option, items) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    // Tooltips drawn on the canvas: the HTML ones carry style attributes, which the
    // Content-Security-Policy refuses (their markers and layout would be lost).
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.setOption(option);
    if (items) {
      chart.on("click", function (p) {
        var item = items[p.dataIndex];
        if (item && item.url) { window.location.href = item.url; }
      });
    }
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  }

  function bar(items, percent) {
    return {
      grid: {left: 110, right: 20, top: 10, bottom: 20}, tooltip: {},
      xAxis: {type: "value", max: percent ? 1 : null},
      yAxis: {type: "category", data: items.map(function (i) { return i.name; }), inverse: true},
      series: [{type: "bar", data: items.map(function (i) { return i.value; })}]
    };
  }

  if (data.trend) {
    make("chart-trend", {
      tooltip: {trigger: "axis"}, legend: {top: 0, data: [data.labels.received, data.labels.closed]},
      grid: {left: 40, right: 20, top: 30, bottom: 30},
      xAxis: {type: "category", data: data.trend.map(function (d) { return d.day; })},
      yAxis: {type: "value"},
      series: [
        {name: data.labels.received, type: "line", smooth: true, data: data.trend.map(function (d) { return d.received; })},
        {name: data.labels.closed, type: "line", smooth: true, data: data.trend.map(function (d) { return d.closed; })}
      ]
    });
  }
  if (data.open_stages) { make("chart-open", bar(data.open_stages), data.open_stages); }
  if (data.stage_on_time) { make("chart-stages", bar(data.stage_on_time, true)); }
  if (data.category_mix) {
    make("chart-categories", {tooltip: {trigger: "item"},
      series: [{type: "pie", radius: ["35%", "70%"], data: data.category_mix}]}, data.category_mix);
  }
  if (data.per_10k) { make("chart-per10k", bar(data.per_10k), data.per_10k); }
  if (data.pivot) {
    var p = data.pivot;
    make("chart-pivot", {
      tooltip: {trigger: "axis"}, legend: {type: "scroll"}, grid: {left: 50, right: 20, top: 40, bottom: 60},
      xAxis: {type: "category", data: p.rows.map(function (r) { return r.label; })},
      // A rate (0..1) reads as a percentage on the axis, as in the table above the chart.
      yAxis: p.is_rate ? {type: "value", max: 1, axisLabel: {formatter: function (v) { return Math.round(v * 100) + "%"; }}}
                       : {type: "value"},
      series: p.cols.map(function (c, j) {
        return {name: c.label, type: "bar", stack: p.measure === "count" ? "total" : null,
                data: p.cells.map(function (row) { return row[j]; })};
      })
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute("data-charts", String(charts.length));
})();
