// Only the chart types and components the dashboard uses: keeps the chart chunk small.

import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DataZoomInsideComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomInsideComponent,
  CanvasRenderer,
]);

const palette = ['#6366f1', '#10b981', '#f59e0b', '#ef4444', '#06b6d4', '#a855f7', '#84cc16', '#f97316'];

function theme(dark: boolean) {
  const text = dark ? '#c5cbda' : '#3b4357';
  const faint = dark ? '#8a93a8' : '#6b7387';
  const line = dark ? '#2a3244' : '#e3e6ee';
  const axis = {
    axisLine: { lineStyle: { color: line } },
    axisTick: { lineStyle: { color: line } },
    // On a phone the labels of a long axis would run into each other: ECharts drops the ones that would.
    axisLabel: { color: faint, hideOverlap: true },
    splitLine: { lineStyle: { color: line } },
    nameTextStyle: { color: faint },
  };
  return {
    color: dark ? ['#8b85ff', '#3ccf95', '#f2b24c', '#ff6b81', '#38bdf8', '#c084fc', '#a3e635', '#fb923c'] : palette,
    backgroundColor: 'transparent',
    textStyle: { color: text, fontFamily: 'Inter, ui-sans-serif, system-ui, sans-serif' },
    legend: { textStyle: { color: text } },
    tooltip: {
      backgroundColor: dark ? '#1c2332' : '#ffffff',
      borderColor: line,
      textStyle: { color: dark ? '#e7eaf2' : '#151a28' },
    },
    categoryAxis: axis,
    valueAxis: axis,
    timeAxis: axis,
    dataZoom: { textStyle: { color: faint }, borderColor: line },
  };
}

echarts.registerTheme('portal-light', theme(false));
echarts.registerTheme('portal-dark', theme(true));

export { echarts };
