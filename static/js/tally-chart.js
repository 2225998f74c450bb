// Stacked bars of each row's levels, from the tally the page already holds as JSON.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("tally-chart-box");
  var data = JSON.parse(document.getElementById("tally-chart").textContent);
  if (!box || !window.echarts || !data.rows.length) return;
  box.style.height = Math.max(160, 36 * data.rows.length + 80) + "px";
  var chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.rows, inverse: true },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "all", data: s.data, label: { show: false } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
