import { useId, useRef } from "react";
import { chartOutcomes, type ChartOutcome, type MinuteCounts } from "../../data/sync-health/index.ts";
import { formatClock } from "../../lib/dates.ts";
import { formatCount } from "../../lib/numbers.ts";
import { useElementWidth } from "../../lib/useElementWidth.ts";
import "./EventsChart.css";

const outcomeLabels: Record<ChartOutcome, string> = { applied: "Applied", stale: "Stale", ignored: "Ignored", failed: "Failed" };
const height = 220;
const margin = { top: 10, right: 8, bottom: 26, left: 40 };
/** Bars narrower than this are merged into buckets of several minutes. */
const minBarWidth = 4;

interface Bar {
  start: string;
  minutes: number;
  counts: Record<ChartOutcome, number>;
  total: number;
}

/**
 * Webhooks per minute by outcome, as stacked bars: an inline SVG drawn to the width it
 * has. Each bar names its minute and counts on hover; the figure's text says the same
 * for screen readers. A wide window is drawn in buckets of several minutes.
 */
export function EventsChart({ perMinute }: { perMinute: MinuteCounts[] }) {
  const plotRef = useRef<HTMLDivElement>(null);
  const width = Math.max(240, useElementWidth(plotRef, 720));
  const titleId = useId();
  const descId = useId();

  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const bucket = Math.max(1, Math.ceil(perMinute.length / Math.max(1, Math.floor(plotWidth / minBarWidth))));
  const bars = buckets(perMinute, bucket);
  const ticks = niceTicks(Math.max(1, ...bars.map((bar) => bar.total)));
  const yMax = ticks.at(-1)!;
  const slot = plotWidth / Math.max(1, bars.length);
  const gap = slot >= 6 ? Math.min(2, slot * 0.2) : 0;
  const y = (value: number) => margin.top + plotHeight - (value / yMax) * plotHeight;

  const totals = Object.fromEntries(chartOutcomes.map((outcome) => [outcome, bars.reduce((sum, bar) => sum + bar.counts[outcome], 0)])) as Record<ChartOutcome, number>;
  const all = chartOutcomes.reduce((sum, outcome) => sum + totals[outcome], 0);
  const busiest = bars.reduce<Bar | null>((best, bar) => (bar.total > (best?.total ?? 0) ? bar : best), null);
  const unit = bucket === 1 ? "minute" : `${bucket} minutes`;
  const labelEvery = Math.max(1, Math.ceil(bars.length / Math.max(2, Math.floor(plotWidth / 90))));

  const summary =
    all === 0
      ? `No webhooks in the last ${perMinute.length} minutes.`
      : `${chartOutcomes.map((outcome) => `${formatCount(totals[outcome])} ${outcome}`).join(", ")} in the last ${perMinute.length} minutes.` +
        (busiest ? ` Busiest ${unit}: ${formatClock(busiest.start)}, with ${formatCount(busiest.total)}.` : "");

  return (
    <figure className="card chart">
      <figcaption className="chart__header">
        <h2 className="chart__title">Events per {unit}</h2>
        <ul className="chart__legend" aria-label="Totals in the window">
          {chartOutcomes.map((outcome) => (
            <li key={outcome} className="chart__legend-item">
              <span className={`chart__swatch chart__swatch--${outcome}`} aria-hidden="true" />
              {outcomeLabels[outcome]} <strong>{formatCount(totals[outcome])}</strong>
            </li>
          ))}
        </ul>
      </figcaption>
      <div ref={plotRef} className="chart__plot">
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`}>
          <title id={titleId}>{`Webhooks per ${unit} by outcome`}</title>
          <desc id={descId}>{summary}</desc>
          {ticks.map((tick) => (
            <g key={tick} className="chart__grid">
              <line x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} />
              <text x={margin.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                {formatCount(tick)}
              </text>
            </g>
          ))}
          {bars.map((bar, i) => {
            const x = margin.left + i * slot + gap / 2;
            let top = y(0);
            return (
              <g key={bar.start} className="chart__bar">
                <title>{`${formatClock(bar.start)}${bar.minutes > 1 ? ` (${bar.minutes} min)` : ""}: ${chartOutcomes.map((o) => `${bar.counts[o]} ${o}`).join(", ")}`}</title>
                {/* The whole slot answers hover, even where the bar is short. */}
                <rect className="chart__hit" x={margin.left + i * slot} y={margin.top} width={slot} height={plotHeight} />
                {chartOutcomes.map((outcome) => {
                  const count = bar.counts[outcome];
                  if (count === 0) return null;
                  const h = y(0) - y(count);
                  top -= h;
                  return <rect key={outcome} className={`chart__segment chart__segment--${outcome}`} x={x} y={top} width={Math.max(1, slot - gap)} height={h} />;
                })}
              </g>
            );
          })}
          <line className="chart__axis" x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} />
          {bars.map((bar, i) =>
            i % labelEvery === 0 ? (
              <text key={bar.start} className="chart__time" x={margin.left + i * slot + slot / 2} y={height - 8} textAnchor="middle">
                {formatClock(bar.start)}
              </text>
            ) : null,
          )}
          {all === 0 ? (
            <text className="chart__empty" x={margin.left + plotWidth / 2} y={margin.top + plotHeight / 2} textAnchor="middle">
              No webhooks in this window
            </text>
          ) : null}
        </svg>
      </div>
    </figure>
  );
}

function buckets(perMinute: MinuteCounts[], size: number): Bar[] {
  const bars: Bar[] = [];
  for (let i = 0; i < perMinute.length; i += size) {
    const slice = perMinute.slice(i, i + size);
    const counts = Object.fromEntries(chartOutcomes.map((o) => [o, slice.reduce((sum, minute) => sum + (minute[o] ?? 0), 0)])) as Record<ChartOutcome, number>;
    bars.push({ start: slice[0]!.minute, minutes: slice.length, counts, total: chartOutcomes.reduce((sum, o) => sum + counts[o], 0) });
  }
  return bars;
}

/** 0 and up to four round steps (1, 2 or 5 × 10ⁿ) reaching at least `max`. */
export function niceTicks(max: number): number[] {
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power);
  const ticks = [0];
  while (ticks.at(-1)! < max) ticks.push(ticks.at(-1)! + step);
  return ticks;
}
