/* The compliance dashboard's charts (Apache ECharts, served from static/vendor). Data comes from the
   page's JSON block; a click on a bar opens its drill-down URL. No inline script, so a CSP can forbid it;
   tooltips are drawn on the canvas (richText), as ECharts' HTML tooltips carry style attributes the CSP refuses.
   The server decides the rest (portal/dashboards.py chart_data): the bars' order (worst first), each bar's
   status and the status colours, the target line, the trend's axis range. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);

  // Labels are the duties' Chinese titles (a rule's clause ID is in its tooltip), wrapped on two lines
  // rather than cut; the chart grows with its rows so that wrapped labels do not overlap.
  var LABEL_WIDTH = 200, ROW_HEIGHT = 34;
  var colours = data.colours || {}, target = data.target || null;

  function statusColour(rows) {
    return function (p) { return colours[rows[p.dataIndex].status] || colours.none; };
  }

  function targetLine() {
    if (!target) { return undefined; }
    return { silent: true, symbol: "none", data: [{ xAxis: target.rate }],
             lineStyle: { color: "#343a40", type: "dashed" },
             label: { formatter: target.label, position: "start" } };
  }

  function barChart(element, rows) {
    var needed = rows.length * ROW_HEIGHT + 40;
    if (element.clientHeight < needed) { element.style.height = needed + "px"; }
    var chart = echarts.init(element);
    chart.setOption({
      grid: { left: 8, right: 40, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", renderMode: "richText", formatter: function (p) {
        var row = rows[p.dataIndex];
        return (row.clause ? row.clause + "\n" : "") + row.label + "\n" +
          (row.rate === null ? "—" : row.rate + "%") + " (" + row.failed + " / " + row.checked + ")";
      } },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }),
               axisLabel: { width: LABEL_WIDTH, overflow: "break", lineHeight: 14, interval: 0 } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.rate; }),
                 label: { show: true, position: "right", formatter: "{c}%" },
                 itemStyle: { color: statusColour(rows) }, markLine: targetLine() }]
    });
    chart.on("click", function (p) { window.location.href = rows[p.dataIndex].url; });
    return chart;
  }

  function lineChart(element, rows) {
    var axis = data.trend_axis || { min: 0, max: 100 };
    var chart = echarts.init(element);
    chart.setOption({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: rows.map(function (r) { return r.month; }) },
      yAxis: { type: "value", min: axis.min, max: axis.max, scale: true, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "line", data: rows.map(function (r) { return r.rate; }), itemStyle: { color: "#c8102e" } }]
    });
    return chart;
  }

  var charts = [];
  document.querySelectorAll(".dashboard-chart").forEach(function (element) {
    var series = element.getAttribute("data-series");
    var rows = data[series] || [];
    charts.push(series === "trend" ? lineChart(element, rows) : barChart(element, rows));
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
