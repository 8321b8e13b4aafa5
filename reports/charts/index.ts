// The chart renderers' public surface; callers import from here, not from the modules.
export { lineChart, type LineChartOptions, type LineSeries, type FaultWindow } from './line.js';
export { durationChart, type DurationChartOptions } from './duration.js';
export { histogram, type HistogramOptions } from './histogram.js';
export { comparisonChart, comparisonTable, type ComparisonMatrix, type ComparisonChartOptions } from './comparison.js';
export { htmlPage, htmlTable, type Section, type Table } from './html.js';
export { statsTable, slaTable } from './tables.js';
export { esc } from './svg.js';
