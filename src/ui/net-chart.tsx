/**
 * One small time-series chart (uPlot: canvas, about 50 KB, redraws a
 * 300-point series in well under a millisecond). Colours come from the page's
 * CSS variables and follow the light or dark theme. The canvas is hidden from
 * assistive technology; the caption carries the latest value and the peak.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCompact, formatTime } from './format.ts';
import { chartColumns, seriesSummary } from './net-series.ts';
import type { NetSample } from './view-models.ts';

export type SampleField = keyof Omit<NetSample, 'atMs'>;

export interface ChartLine {
  field: SampleField;
  label: string;
  /** A CSS variable holding the line's colour, e.g. '--accent'. */
  colorVar: string;
}

const CHART_HEIGHT_PX = 112;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** A colour with some transparency for the area under a line; colours here are #rrggbb. */
function translucent(color: string, alpha: number): string {
  const match = /^#([0-9a-f]{6})$/i.exec(color);
  if (!match) return color;
  const value = parseInt(match[1]!, 16);
  return `rgb(${value >> 16} ${(value >> 8) & 255} ${value & 255} / ${alpha})`;
}

/**
 * Time axis labels: wall-clock minutes and seconds, e.g. "14:03:30", from the page's one shared
 * formatter (toLocaleTimeString per label was 1.6% of a tab's main thread at 100 tx/s, measured).
 */
const timeLabel = (seconds: number) => formatTime(seconds * 1000);

function chartOptions(width: number, lines: readonly ChartLine[], unit: string): uPlot.Options {
  const muted = cssVar('--muted', '#5d6673');
  const grid = cssVar('--border', '#dde1e7');
  const font = `11px ${getComputedStyle(document.documentElement).fontFamily}`;
  return {
    width,
    height: CHART_HEIGHT_PX,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { stroke: muted, font, size: 22, space: 90, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, values) => values.map(timeLabel) },
      { stroke: muted, font, size: 40, space: 24, grid: { stroke: grid, width: 1 }, ticks: { show: false }, values: (_u, values) => values.map((value) => `${formatCompact(value)}${unit}`) },
    ],
    series: [
      {},
      ...lines.map((line) => {
        const color = cssVar(line.colorVar, '#3b5bdb');
        return { label: line.label, stroke: color, width: 1.5, fill: lines.length === 1 ? translucent(color, 0.15) : undefined, points: { show: false } };
      }),
    ],
  };
}

export interface NetChartProps {
  title: string;
  lines: readonly ChartLine[];
  series: readonly NetSample[];
  /** The caption's value format, e.g. "20.7 KB/s". */
  format: (value: number) => string;
  /** A short unit after the axis numbers, e.g. "B" for "20k B"; empty for plain counts. */
  axisUnit?: string;
  /** A sentence under the chart saying what it measures, for charts whose title cannot. */
  note?: string;
}

export function NetChart({ title, lines, series, format, axisUnit = '', note }: NetChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | undefined>(undefined);
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const fields = lines.map((line) => line.field);
  const fieldsKey = fields.join(',');

  // Build the chart, and rebuild it when the theme flips (its colours are baked into the canvas drawing).
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const build = () => {
      plotRef.current?.destroy();
      const width = Math.max(160, container.clientWidth);
      plotRef.current = new uPlot(chartOptions(width, lines, axisUnit), chartColumns(seriesRef.current, fields) as uPlot.AlignedData, container);
    };
    build();
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    const observer = new ResizeObserver(() => {
      const width = Math.max(160, container.clientWidth);
      if (plotRef.current && plotRef.current.width !== width) plotRef.current.setSize({ width, height: CHART_HEIGHT_PX });
    });
    observer.observe(container);
    return () => {
      scheme.removeEventListener('change', build);
      observer.disconnect();
      plotRef.current?.destroy();
      plotRef.current = undefined;
    };
    // Lines and format are fixed per chart; fieldsKey stands for them.
  }, [fieldsKey]);

  useEffect(() => {
    plotRef.current?.setData(chartColumns(series, fields) as uPlot.AlignedData);
  }, [series, fieldsKey]);

  const summary = lines
    .map((line) => {
      const stats = seriesSummary(series, line.field);
      return stats ? `${line.label} ${format(stats.latest)} now, peak ${format(stats.peak)}` : undefined;
    })
    .filter(Boolean)
    .join('; ');

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="chart-now">
          {lines.map((line) => {
            const stats = seriesSummary(series, line.field);
            return (
              <span key={line.field} className="chart-value">
                <span className="swatch" style={{ background: `var(${line.colorVar})` }} aria-hidden="true" />
                {lines.length > 1 && `${line.label} `}
                {stats ? format(stats.latest) : '—'}
              </span>
            );
          })}
        </span>
        <span className="visually-hidden">{summary || 'No samples yet.'}</span>
      </figcaption>
      <div className="chart-canvas" ref={containerRef} aria-hidden="true" />
      {note && <p className="chart-note">{note}</p>}
    </figure>
  );
}
