import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { Derived } from './derive.js';
import { sortedReads } from './markdown.js';

type Spec = vegaLite.TopLevelSpec;

const COLORS = { domain: ['Heimdall', 'peer'], range: ['#c2410c', '#64748b'] };

function barChart(
  title: string,
  axisTitle: string,
  data: Array<{ stack: string; value: number; label: string; family: string }>,
  width = 560,
): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, anchor: 'start', fontSize: 14 },
    width,
    height: { step: 22 },
    background: 'white',
    data: { values: data },
    encoding: {
      y: { field: 'stack', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } },
      x: { field: 'value', type: 'quantitative', title: axisTitle },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          color: { field: 'family', type: 'nominal', scale: COLORS, legend: { title: null, orient: 'bottom' } },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 3, fontSize: 11 }, encoding: { text: { field: 'label' } } },
    ],
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', view: { stroke: null } },
  };
}

const family = (f: string) => (f === 'heimdall' ? 'Heimdall' : 'peer');

/** The charts, as Vega-Lite specs built from one run's results. */
export function chartSpecs(d: Derived): Record<string, Spec> {
  const reads = sortedReads(d);
  const specs: Record<string, Spec> = {
    'cpu-per-request.svg': barChart(
      'Server CPU per authenticated request (lower is better)',
      'µs of server CPU per request',
      reads.map((r) => ({
        stack: r.stack,
        value: r.saturation.cpuUsPerReq,
        label: `${r.saturation.cpuUsPerReq.toFixed(1)} µs`,
        family: family(r.family),
      })),
    ),
    'throughput-vs-floor.svg': barChart(
      'Throughput relative to bare Fastify (higher is better)',
      'req/s ÷ bare Fastify req/s',
      reads.map((r) => ({ stack: r.stack, value: r.ratio, label: r.ratio.toFixed(2), family: family(r.family) })),
    ),
    'credential-bytes.svg': barChart(
      'Credential bytes sent with every request',
      'bytes (Cookie or Authorization header value)',
      reads
        .filter((r) => r.credential.bytes > 0)
        .sort((a, b) => a.credential.bytes - b.credential.bytes)
        .map((r) => ({
          stack: r.stack,
          value: r.credential.bytes,
          label: `${r.credential.bytes} B`,
          family: family(r.family),
        })),
    ),
  };
  const same = reads.filter((r) => r.sameLoad);
  if (same.length) {
    specs['p99-same-load.svg'] = barChart(
      `p99 latency at the same load (${same[0]!.sameLoad!.rate} req/s, lower is better)`,
      'p99 latency, ms',
      same.map((r) => ({
        stack: r.stack,
        value: r.sameLoad!.p99Ms,
        label: `${r.sameLoad!.p99Ms.toFixed(2)} ms`,
        family: family(r.family),
      })),
    );
  }
  return specs;
}

/** Vega-Lite → Vega → SVG, headless in Node (no canvas, no browser). */
export async function renderSvg(spec: Spec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
