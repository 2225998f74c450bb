// 领导驾驶舱 charts from the page's JSON; a click on a department's bar opens its ledger rows.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  var data = JSON.parse(document.getElementById("cockpit-data").textContent);
  var big = window.matchMedia("(min-width: 1400px)").matches ? 16 : 12;
  var trend = echarts.init(document.getElementById("chart-trend"));
  trend.setOption({
    textStyle: { fontSize: big },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.trend.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.names.opened, type: "line", data: data.trend.opened },
      { name: data.names.closed_in_month, type: "line", data: data.trend.closed },
      { name: data.names.missed, type: "bar", data: data.trend.missed, itemStyle: { color: "#c62828" } }
    ]
  });
  var depts = echarts.init(document.getElementById("chart-departments"));
  depts.setOption({
    textStyle: { fontSize: big },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.departments.map(function (d) { return d.name; }) },
    series: [
      { name: data.names.closed, type: "bar", stack: "all", data: data.departments.map(function (d) { return d.closed; }), itemStyle: { color: "#2e7d32" } },
      { name: data.names.open, type: "bar", stack: "all", data: data.departments.map(function (d) { return d.open; }), itemStyle: { color: "#90a4ae" } },
      { name: data.names.overdue, type: "bar", stack: "all", data: data.departments.map(function (d) { return d.overdue; }), itemStyle: { color: "#c62828" } }
    ]
  });
  depts.on("click", function (event) {
    var dept = data.departments[event.dataIndex];
    if (!dept) return;
    // By the series' position (已销号, 未销号, 逾期), not its name, which is translated.
    var extra = event.seriesIndex === 2 ? "&colour=red" : event.seriesIndex === 0 ? "&status=closed" : "";
    window.location.href = "/ledger/?department=" + dept.id + extra;
  });
  window.addEventListener("resize", function () { trend.resize(); depts.resize(); });
});
