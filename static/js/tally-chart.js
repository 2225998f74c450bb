// Stacked bars of each row's levels, one chart per scale, from the tally the page holds as JSON.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("tally-chart-box");
  var data = JSON.parse(document.getElementById("tally-chart").textContent);
  if (!box || !window.echarts || !data.charts.length) return;
  var charts = data.charts.map(function (one) {
    var div = document.createElement("div");
    div.className = "tally-chart-one mb-2";
    div.style.height = Math.max(160, 36 * one.rows.length + 80) + "px";
    box.appendChild(div);
    var chart = echarts.init(div);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: one.rows, inverse: true },
      series: one.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "all", data: s.data, label: { show: false } };
      })
    });
    return chart;
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
