// charts-host.js — owns the ECharts instances: creates them, applies options from the pure
// builders, resizes them with their containers, and turns clicks into callbacks.

import * as echarts from 'echarts/core';
import { BarChart, LineChart, GraphChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, BrushComponent,
  ToolboxComponent, DatasetComponent, TitleComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart, LineChart, GraphChart, GridComponent, TooltipComponent, LegendComponent,
  DataZoomComponent, BrushComponent, ToolboxComponent, DatasetComponent, TitleComponent,
  CanvasRenderer,
]);

export class ChartsHost {
  constructor() {
    this.charts = new Map(); // element id → instance
    this.sizes = new Map(); // element id → its client size when the chart last took it
    // A ResizeObserver also reports every element once when it starts observing it, and
    // resize() redraws the whole chart: only resize when the size really changed.
    this.observer = new ResizeObserver((entries) => {
      for (const e of entries) this.resizeIfChanged(e.target.id);
    });
  }

  sizeOf(id) {
    const el = document.getElementById(id);
    return el ? `${el.clientWidth}x${el.clientHeight}` : '';
  }

  /** Resizes (redraws) chart `id` if its element's size differs from what the chart has. */
  resizeIfChanged(id) {
    const chart = this.charts.get(id);
    if (!chart) return;
    const size = this.sizeOf(id);
    if (size === this.sizes.get(id)) return;
    this.sizes.set(id, size);
    chart.resize();
  }

  /** The instance for element `id` (made on first use). */
  get(id) {
    let chart = this.charts.get(id);
    if (!chart) {
      const el = document.getElementById(id);
      chart = echarts.init(el, null, { renderer: 'canvas' });
      this.charts.set(id, chart);
      this.sizes.set(id, this.sizeOf(id));
      this.observer.observe(el);
    }
    return chart;
  }

  /** Replaces the chart's option (notMerge: the builders return complete options). */
  set(id, option) {
    const chart = this.get(id);
    chart.setOption(option, { notMerge: true, lazyUpdate: false });
    return chart;
  }

  /** Calls handler(params) when a data element (bar, node, edge) of chart `id` is clicked. */
  onClick(id, handler) {
    this.get(id).on('click', (params) => {
      if (params.componentType === 'series') handler(params);
    });
  }

  /**
   * For horizontal bar charts (category y axis): handler(rowIndex) when the user clicks anywhere
   * in a row's band — on the bar, beside it, or on its label.
   */
  onRowClick(id, handler) {
    const chart = this.get(id);
    chart.getZr().on('click', (e) => {
      const pt = [e.offsetX, e.offsetY];
      const option = chart.getOption();
      if (!option.yAxis?.length || option.yAxis[0].type !== 'category') return;
      const rows = option.dataset?.[0]?.source?.length ?? 0;
      let left;
      try {
        left = chart.convertToPixel({ xAxisIndex: 0 }, 0);
      } catch {
        return;
      }
      if (!chart.containPixel('grid', pt) && !(pt[0] < left && chart.containPixel('grid', [left + 1, pt[1]]))) return;
      const index = chart.convertFromPixel({ yAxisIndex: 0 }, pt[1]);
      if (Number.isInteger(index) && index >= 0 && index < rows) handler(index);
    });
    chart.getZr().on('mousemove', (e) => {
      const inside = chart.containPixel('grid', [e.offsetX, e.offsetY]);
      chart.getZr().setCursorStyle(inside ? 'pointer' : 'default');
    });
  }

  /**
   * A drag on the chart draws a horizontal range (brush lineX); when the drag ends,
   * handler(coordRange in data units) is called once and the drawn range is cleared.
   */
  onTimeBrush(id, handler) {
    const chart = this.get(id);
    chart.on('brushEnd', (params) => {
      const area = params.areas?.[0];
      if (area?.coordRange) {
        const range = area.coordRange.slice();
        chart.dispatchAction({ type: 'brush', areas: [] });
        handler(range);
      }
    });
  }

  /** Turns the brush cursor on so that dragging selects a range without a toolbox click. */
  armBrush(id) {
    this.get(id).dispatchAction({
      type: 'takeGlobalCursor',
      key: 'brush',
      brushOption: { brushType: 'lineX', brushMode: 'single' },
    });
  }

  resizeAll() {
    for (const id of this.charts.keys()) this.resizeIfChanged(id);
  }
}
