// charts-host.js — owns the ECharts instances: creates them, applies options from the pure
// builders, resizes them with their containers, and turns clicks into callbacks. A chart out of
// view is drawn when it comes into view (see set, deferred-draws.js).

import * as echarts from 'echarts/core';
import { BarChart, LineChart, GraphChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, BrushComponent,
  ToolboxComponent, DatasetComponent, TitleComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { DeferredDraws } from './deferred-draws.js';

echarts.use([
  BarChart, LineChart, GraphChart, GridComponent, TooltipComponent, LegendComponent,
  DataZoomComponent, BrushComponent, ToolboxComponent, DatasetComponent, TitleComponent,
  CanvasRenderer,
]);

// Components that hold the data or state the user changes (legend toggles, the zoom range, the
// graph's zoom and pan and selections in the series, the axis pointer's last position in the
// axes, the tooltip shown under the pointer): a new option always replaces them, as it would
// with notMerge. The rest (grid, toolbox, brush, title, global style) is merged into the
// existing models. (A merged tooltip would be cheaper, 2-3 ms a chart, but it shows the previous
// option's text at the pointer's first move after an update: ECharts keeps what it showed
// last for an axis value and hideTip does not forget it.)
const REPLACED = ['series', 'dataset', 'legend', 'dataZoom', 'xAxis', 'yAxis', 'tooltip'];

/**
 * The key structure of an option without its replaced components: two options with the same
 * shape differ only in values, so merging the second into the first gives exactly the chart the
 * second alone would give (no key of the first can survive the merge). Arrays of plain values
 * are leaves of a given length (a top-level array such as `color` is merged index by index, so a
 * longer old one would keep its tail); functions count as values.
 */
export function optionShape(option) {
  const shape = (v) => {
    if (Array.isArray(v)) {
      return v.some((x) => x !== null && typeof x === 'object') ? `[${v.map(shape).join(',')}]` : `a${v.length}`;
    }
    if (v !== null && typeof v === 'object') {
      return `{${Object.keys(v).sort().map((k) => `${k}:${shape(v[k])}`).join(',')}}`;
    }
    return v === undefined ? 'u' : 'v';
  };
  return `{${Object.keys(option).filter((k) => !REPLACED.includes(k)).sort()
    .map((k) => `${k}:${shape(option[k])}`).join(',')}}`;
}

export class ChartsHost {
  /** deferred: the page's DeferredDraws (charts out of view wait in it). */
  constructor(deferred = new DeferredDraws()) {
    this.deferred = deferred;
    this.charts = new Map(); // element id → instance
    this.sizes = new Map(); // element id → its client size when the chart last took it
    this.shapes = new Map(); // element id → optionShape of the option the chart was built from
    this.brushArmed = new Map(); // element id → whether the lineX brush cursor is on
    this.armPending = new Set(); // element ids whose brush is armed once they are drawn
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
      // The brush cursor is taken by armBrush and can be dropped with the toolbox's button.
      chart.on('globalcursortaken', (e) => {
        const o = e.brushOption ?? {};
        this.brushArmed.set(id, e.key === 'brush' && o.brushType === 'lineX' && (o.brushMode ?? 'single') === 'single');
      });
    }
    return chart;
  }

  /**
   * Shows `option` as the whole chart: the result is the chart `option` alone gives (the builders
   * return complete options; nothing of the previous option stays). When the previous option had
   * the same shape, the components without state are updated in place (a merge that replaces
   * the REPLACED ones): less work than building every component anew, and the brush cursor stays
   * on, which saves armBrush's second redraw. Otherwise the chart is rebuilt (notMerge).
   *
   * A chart out of view keeps `option` until it comes into view (DeferredDraws) and hides its
   * out-of-date drawing meanwhile (class chart-pending): a filter change below the fold costs no
   * drawing (about a third of the charts' time on a 1440 x 1000 window), and nothing out of date
   * is ever shown. A brush armed meanwhile is armed once the chart is drawn.
   */
  set(id, option) {
    const chart = this.get(id);
    this.deferred.run(document.getElementById(id), () => {
      this.draw(id, option);
      if (this.armPending.delete(id)) this.armBrush(id);
    }, 'chart-pending');
    return chart;
  }

  draw(id, option) {
    const start = performance.now();
    const chart = this.get(id);
    const shape = optionShape(option);
    if (this.shapes.get(id) === shape) {
      chart.setOption(option, { replaceMerge: REPLACED, lazyUpdate: false });
    } else {
      chart.setOption(option, { notMerge: true, lazyUpdate: false });
      this.shapes.set(id, shape);
      this.brushArmed.set(id, false); // a new brush component starts without the cursor
    }
    // What each chart costs, for a profiler or the bench's probe (fl:set:<id> measures).
    performance.measure(`fl:set:${id}`, { start });
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

  /**
   * Turns the brush cursor on so that dragging selects a range without a toolbox click. (The
   * action redraws the whole chart: skipped when the cursor is on already.)
   */
  armBrush(id) {
    if (this.deferred.has(document.getElementById(id))) {
      this.armPending.add(id);
      return;
    }
    if (this.brushArmed.get(id)) return;
    this.get(id).dispatchAction({
      type: 'takeGlobalCursor',
      key: 'brush',
      brushOption: { brushType: 'lineX', brushMode: 'single' },
    });
  }

  resizeAll() {
    for (const id of this.charts.keys()) this.resizeIfChanged(id);
  }

  /** Disposes of every chart (ECharts frees its canvases and listeners) and stops watching sizes. */
  dispose() {
    this.observer.disconnect();
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
  }
}
