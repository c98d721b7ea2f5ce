// The stock level over time as a small SVG step chart (no library).

const NS = "http://www.w3.org/2000/svg";

function el(name, attributes) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

export function stockChart(points, { threshold = 0, unit = "" } = {}) {
  const width = 320, height = 120, pad = 24;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
    "aria-label": `Stock over time, now ${points.length ? points.at(-1).on_hand : 0} ${unit}`,
  });
  if (points.length < 2) return svg;
  const times = points.map((p) => Date.parse(p.at));
  const levels = points.map((p) => Number(p.on_hand));
  const t0 = times[0], t1 = Math.max(times.at(-1), t0 + 1);
  const top = Math.max(...levels, Number(threshold), 1);
  const x = (t) => pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad);
  const y = (v) => height - pad - (v / top) * (height - 2 * pad);
  let d = `M${x(times[0]).toFixed(1)},${y(levels[0]).toFixed(1)}`;
  for (let i = 1; i < points.length; i++) {
    d += `H${x(times[i]).toFixed(1)}V${y(levels[i]).toFixed(1)}`;
  }
  svg.append(el("line", { x1: pad, x2: width - pad, y1: y(0), y2: y(0), class: "axis" }));
  if (Number(threshold) > 0) {
    svg.append(el("line", {
      x1: pad, x2: width - pad, y1: y(Number(threshold)), y2: y(Number(threshold)),
      class: "threshold",
    }));
  }
  svg.append(el("path", { d, class: "level" }));
  const label = el("text", { x: pad, y: 14, class: "label" });
  label.textContent = `max ${top} ${unit}`;
  svg.append(label);
  return svg;
}
