// The stock level over time as a small SVG step chart (no library): a day axis under it,
// the level's scale on the left and the low-stock threshold as a dashed line.

const NS = "http://www.w3.org/2000/svg";
const DAY = 24 * 60 * 60 * 1000;

function el(name, attributes, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// A round step for the level's scale: 1, 2 or 5 times a power of ten.
function niceTop(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= value);
}

// points: [{at, on_hand}], oldest first. since: the axis's first moment. dayLabel(ms)
// words a day for the axis; label is the chart's description for screen readers.
export function stockChart(points, { since, threshold = 0, dayLabel, lowLabel, label }) {
  const width = 320, height = 150;
  const left = 34, right = 10, top = 10, bottom = 24;
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
    "aria-label": label });
  if (!points.length) return svg;
  const times = points.map((p) => Date.parse(p.at));
  const levels = points.map((p) => Number(p.on_hand));
  const t0 = Math.min(since ? Date.parse(since) : times[0], times[0]);
  const t1 = Math.max(times.at(-1), t0 + DAY);
  const high = niceTop(Math.max(...levels, Number(threshold)));
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - v / high) * (height - top - bottom);

  // The scale: 0, half and the top, with faint guide lines.
  for (const value of [0, high / 2, high]) {
    svg.append(el("line", { x1: left, x2: width - right, y1: y(value), y2: y(value),
      class: value === 0 ? "axis" : "grid" }));
    svg.append(el("text", { x: left - 4, y: y(value) + 4, class: "label", "text-anchor": "end" },
      String(Number(value.toFixed(3)))));
  }
  // The day axis: four days spread over the span, the last one today.
  for (let i = 0; i < 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 3;
    const anchor = i === 0 ? "start" : i === 3 ? "end" : "middle";
    svg.append(el("line", { x1: x(t), x2: x(t), y1: y(0), y2: y(0) + 4, class: "axis" }));
    svg.append(el("text", { x: x(t), y: height - 6, class: "label", "text-anchor": anchor },
      dayLabel(t)));
  }
  if (Number(threshold) > 0) {
    const at = y(Number(threshold));
    svg.append(el("line", { x1: left, x2: width - right, y1: at, y2: at, class: "threshold" }));
    svg.append(el("text", { x: width - right, y: at - 3, class: "label low", "text-anchor": "end" },
      lowLabel));
  }
  let d = `M${x(times[0]).toFixed(1)},${y(levels[0]).toFixed(1)}`;
  for (let i = 1; i < points.length; i++) {
    d += `H${x(times[i]).toFixed(1)}V${y(levels[i]).toFixed(1)}`;
  }
  svg.append(el("path", { d, class: "level" }));
  return svg;
}
