import type { EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';
import { withGaps } from '../lib/gaps.ts';
import { useTheme } from '../lib/theme.ts';
import { Skeleton } from './ui.tsx';

type Echarts = typeof import('./chart-setup.ts')['echarts'];
let loader: Promise<Echarts> | undefined;
// ECharts loads on the first chart, not with the page shell.
const loadEcharts = () => (loader ??= import('./chart-setup.ts').then((m) => m.echarts));

/** Starts loading the chart library early (pages that will draw charts call it on mount). */
export function preloadCharts() {
  void loadEcharts();
}

const BANDS = {
  light: { color: 'rgba(107, 115, 135, 0.12)', text: '#5b6377' },
  dark: { color: 'rgba(138, 147, 168, 0.14)', text: '#a3abbd' },
};

/**
 * An ECharts canvas that follows the theme and its container's size. `label` describes the chart
 * for screen readers (the canvas itself is opaque to them). Every option is drawn with its gaps
 * (lib/gaps.ts): straight lines, not joined over unknown buckets, and a shaded "no data" band.
 */
export function Chart({ option, height = 280, label }: { option: EChartsCoreOption; height?: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<Echarts['init']> | null>(null);
  const { dark } = useTheme();
  const [ready, setReady] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt on a theme change; option changes are applied below.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void loadEcharts().then((echarts) => {
      if (disposed || !ref.current) return;
      chart.current = echarts.init(ref.current, dark ? 'portal-dark' : 'portal-light', { renderer: 'canvas' });
      chart.current.setOption(withGaps(option as Record<string, unknown>, BANDS[dark ? 'dark' : 'light']), true);
      setReady(true);
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(ref.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
      setReady(false);
    };
  }, [dark]);

  useEffect(() => {
    chart.current?.setOption(withGaps(option as Record<string, unknown>, BANDS[dark ? 'dark' : 'light']), true);
  }, [option, dark]);

  return (
    <div className="relative w-full" style={{ height }}>
      <div ref={ref} role="img" aria-label={label} className="absolute inset-0" />
      {!ready && <Skeleton className="absolute inset-0" />}
    </div>
  );
}
