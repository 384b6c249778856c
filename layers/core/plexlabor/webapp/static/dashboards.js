/* The dashboards' charts: Apache ECharts (served by the app from /static/, vendored from npm) draws
   each element with a data-chart attribute from the JSON block its data-source names. No inline
   script, nothing fetched: the server put every number in the page, and the same numbers in a table.
   The instances stay reachable with echarts.getInstanceByDom(element) (the browser tests read them). */
(function () {
  "use strict";

  function read(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function heatmap(element, data) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 110, right: 24, top: 64, bottom: 56 },
      tooltip: {
        position: "top",
        formatter: function (p) {
          var v = p.data.value;
          return data.y[v[1]] + " · " + data.x[v[0]] + "<br>" + v[2].toFixed(1) + " h at risk of " +
            v[5].toFixed(1) + " h<br>" + v[4] + " qualified of " + v[3] + " required" +
            (p.data.plan ? "<br>" + p.data.plan : "");
        }
      },
      xAxis: { type: "category", data: data.x, splitArea: { show: true }, axisLabel: { rotate: 60, fontSize: 10 } },
      yAxis: { type: "category", data: data.y, inverse: true, axisLabel: { fontSize: 11 } },
      visualMap: {
        type: "continuous", min: 0, max: Math.max(data.max, 1), dimension: 2, calculable: false,
        orient: "horizontal", left: "center", top: 0, text: ["more hours at risk", "none"],
        inRange: { color: ["#e6f3ea", "#f6d55c", "#c0392b"] }
      },
      series: [{ name: "Hours at risk", type: "heatmap", data: data.points, emphasis: { itemStyle: { borderColor: "#1f3b57", borderWidth: 2 } } }]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.url) { window.location.assign(p.data.url); }
    });
    return chart;
  }

  function timeline(element, data) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    function size(value, p) { return 8 + Math.min(16, 2 * (p.data.blocked || 0)); }
    chart.setOption({
      animation: false,
      grid: { left: 64, right: 24, top: 48, bottom: 48 },
      legend: { top: 0 },
      tooltip: {
        formatter: function (p) {
          return p.data.name + "<br>" + p.data.value[0] + " · " + p.data.value[1].toFixed(1) + " h of planned work blocked";
        }
      },
      xAxis: { type: "time", name: "expires", min: data.start, max: data.end },
      yAxis: { type: "value", name: "hours blocked", min: 0 },
      series: [
        { name: "Lapsed", type: "scatter", data: data.series.lapsed, symbolSize: size, itemStyle: { color: "#a4161a" },
          markLine: { silent: true, symbol: "none", lineStyle: { color: "#1f3b57" },
            label: { formatter: "report day", position: "end" }, data: [{ xAxis: data.as_of }] } },
        { name: "Expiring", type: "scatter", data: data.series.expiring, symbolSize: size, itemStyle: { color: "#b7791f" } }
      ]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.id) { window.location.hash = "cert-" + p.data.id; }
    });
    return chart;
  }

  function intervals(element, data) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var unit = data.unit;
    function amount(v) { return unit === "$" ? "$" + Math.round(v).toLocaleString("en-US") : v.toFixed(1) + " h"; }
    function band(params, api) {
      var low = api.coord([api.value(0), api.value(2)]);
      var high = api.coord([api.value(1), api.value(2)]);
      var height = Math.max(6, api.size([0, 1])[1] * 0.45);
      return { type: "rect", shape: { x: low[0], y: low[1] - height / 2, width: Math.max(2, high[0] - low[0]), height: height },
        style: api.style({ fill: "#9db8d6" }) };
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 40, bottom: 32, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items.length ? items[0].dataIndex : 0;
          var y = items.length ? (items[0].axisValue || data.labels[i]) : "";
          return [y].concat(items.map(function (p) {
            var v = p.data;
            return p.seriesName + ": " + (v.length === 3 ? amount(v[0]) + " – " + amount(v[1]) : amount(v[0]));
          })).join("<br>");
        }
      },
      xAxis: { type: "value", name: unit === "$" ? "cost" : "hours", min: 0 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { fontSize: 11 } },
      series: [
        { name: "P10–P90", type: "custom", renderItem: band, encode: { x: [0, 1], y: 2 }, data: data.band, itemStyle: { color: "#9db8d6" } },
        { name: "P50", type: "scatter", data: data.p50, symbolSize: 10, itemStyle: { color: "#1f3b57" }, z: 3 },
        { name: "Standard", type: "scatter", data: data.standard, symbol: "rect", symbolSize: [3, 18], itemStyle: { color: "#a4161a" }, z: 4 }
      ]
    });
    return chart;
  }

  function funnel(element, data) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    function shown(v) { return data.unit === "%" ? v.toFixed(2) + " %" : v.toFixed(2); }
    function points(outside) {
      return data.points.filter(function (p) { return (p[3] !== "") === outside; });
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 40, bottom: 32, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = p.data;
          return v.length > 2 ? v[2] + ": " + shown(v[1]) + " at " + v[0] + " " + data.volume : p.seriesName + ": " + shown(v[1]);
        }
      },
      xAxis: { type: "value", name: data.volume, min: 0 },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: shown } },
      series: [
        { name: "Inside the limits", type: "scatter", data: points(false), symbolSize: 7, itemStyle: { color: "#1f3b57" },
          markLine: { silent: true, symbol: "none", data: [{ yAxis: data.target, name: "plant" }], lineStyle: { color: "#555" }, label: { formatter: "plant" } } },
        { name: "Outside", type: "scatter", data: points(true), symbolSize: 9, itemStyle: { color: "#a4161a" } },
        { name: "99.8 % limits", type: "scatter", data: data.high, symbol: "rect", symbolSize: [6, 2], itemStyle: { color: "#9db8d6" } },
        { name: "99.8 % limits", type: "scatter", data: data.low, symbol: "rect", symbolSize: [6, 2], itemStyle: { color: "#9db8d6" } }
      ]
    });
    return chart;
  }

  function trend(element, data) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 8, top: 48, bottom: 32, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.weeks, axisLabel: { fontSize: 11 } },
      yAxis: [
        { type: "value", name: "incidents", minInterval: 1, min: 0 },
        { type: "value", name: "per 200,000 h", min: 0, splitLine: { show: false } },
        { type: "value", name: "overtime h", min: 0, show: false }
      ],
      series: [
        { name: "Injuries", type: "bar", stack: "incidents", data: data.injuries, itemStyle: { color: "#a4161a" } },
        { name: "Near misses", type: "bar", stack: "incidents", data: data.near_misses, itemStyle: { color: "#b7791f" } },
        { name: "Injuries per 200,000 h", type: "line", yAxisIndex: 1, data: data.injury_rate, connectNulls: false,
          symbolSize: 7, itemStyle: { color: "#1f3b57" } },
        { name: "Overtime hours", type: "line", yAxisIndex: 2, data: data.overtime, lineStyle: { type: "dashed" },
          symbol: "none", itemStyle: { color: "#6b7b8c" } }
      ]
    });
    return chart;
  }

  var kinds = { heatmap: heatmap, timeline: timeline, intervals: intervals, funnel: funnel, trend: trend };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var draw = kinds[element.getAttribute("data-chart")];
    var data = read(element.getAttribute("data-source"));
    if (draw && data && window.echarts) { charts.push(draw(element, data)); }
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
