// Stockbot's Mini App: Dashboard, Inventory, Product, Stock entry and Products over the
// JSON API. Plain ES modules, no build step. Pages are drawn from data with `h`, which
// sets text, never HTML, so a product name cannot inject markup.

import * as api from "./api.js";
import { stockChart } from "./chart.js";
import * as tg from "./tg.js";

const view = document.getElementById("view");
const title = document.getElementById("title");
const back = document.getElementById("back");
const shopSelect = document.getElementById("shop");
const tabs = document.getElementById("tabs");

const state = { me: null, shop: null };
const UNITS = ["pcs", "kg", "g", "l", "ml", "pack", "box", "bottle", "can", "bag", "m"];
const REASONS = [
  ["sale", "Sale"], ["damage", "Damaged"], ["expired", "Expired"],
  ["adjustment", "Adjustment"], ["return", "Returned to supplier"],
];
const BADGES = {
  low: ["🟠", "Low"], out: ["🔴", "Out of stock"],
  near_expiry: ["🟠", "Near expiry"], expired: ["🔴", "Expired"],
};

// -- little helpers ---------------------------------------------------------------

function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const isOwner = () => state.shop && state.shop.role === "owner";
const shopPath = (rest = "") => `shops/${state.shop.id}${rest}`;
const qty = (value, unit) => `${value} ${unit}`;

function money(value) {
  if (value === null || value === undefined) return "—";
  return `${value} ${state.shop.currency}`;
}

function date(value) {
  if (!value) return "—";
  const [y, m, d] = value.split("-");
  return state.shop && state.shop.day_first ? `${d}.${m}.${y}` : `${m}/${d}/${y}`;
}

function when(timestamp) {
  const moment = new Date(timestamp);
  const day = moment.toISOString().slice(0, 10);
  const time = moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `${date(day)} ${time}`;
}

function badges(item) {
  const shown = [item.stock_status, item.expiry_status].filter((s) => BADGES[s]);
  return h("span", { class: "badges" }, shown.map((status) =>
    h("span", { class: `badge ${status}`, title: BADGES[status][1] },
      `${BADGES[status][0]} ${BADGES[status][1]}`)));
}

function render(heading, ...content) {
  title.textContent = heading;
  document.title = `${heading} · Stockbot`;
  view.replaceChildren(...content.filter(Boolean));
}

function failure(error) {
  return h("p", { class: "error", role: "alert" }, error.message || String(error));
}

function debounce(run, ms) {
  let timer = 0;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => run(...args), ms); };
}

// -- routing ----------------------------------------------------------------------

function parseRoute() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  return { parts, params: new URLSearchParams(query || "") };
}

export function go(hash, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", hash);
  else history.pushState(null, "", hash);
  show();
}

function setBack(visible) {
  if (visible) {
    back.hidden = tg.backButton.available;
    tg.backButton.show(() => history.back());
  } else {
    back.hidden = true;
    tg.backButton.hide();
  }
}

async function show() {
  tg.mainButton.hide();
  const { parts, params } = parseRoute();
  const page = parts[0] || "dashboard";
  for (const link of tabs.querySelectorAll("a")) {
    link.classList.toggle("active", link.dataset.tab === page);
  }
  setBack(page !== "dashboard");
  try {
    if (page === "inventory") await inventoryPage(params);
    else if (page === "product") await productPage(Number(parts[1]));
    else if (page === "entry") await entryPage(parts[1] ? Number(parts[1]) : null, params);
    else if (page === "products" && parts[1] === "new") await productForm(null);
    else if (page === "products" && parts[2] === "edit") await productForm(Number(parts[1]));
    else if (page === "products") await productsPage(params);
    else await dashboardPage();
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) return start();
    render("Stockbot", failure(error));
  }
  view.dataset.page = page;
  view.dataset.ready = "1";
}

// -- Dashboard ----------------------------------------------------------------------

async function dashboardPage() {
  const board = await api.get(shopPath("/dashboard"), { first: 3 });
  const box = (name, label, count, status, tone) => h("a", {
    class: `box ${tone}`, href: `#/inventory?status=${status}`, "data-box": name,
  },
  h("span", { class: "count" }, count),
  h("span", { class: "label" }, label),
  h("span", { class: "view-all" }, "View all ›"));
  const firsts = (title, items) => items.length ? h("section", { class: "card" },
    h("h2", {}, title),
    h("ul", { class: "list" }, items.map(row))) : null;
  render(state.shop.name,
    h("div", { class: "boxes" },
      box("low", "Low stock", board.low.count + board.out.count, "low", "amber"),
      box("out", "Out of stock", board.out.count, "out", "red"),
      box("near_expiry", "Near expiry", board.near_expiry.count, "near_expiry", "amber"),
      box("expired", "Expired", board.expired.count, "expired", "red")),
    h("p", { class: "muted" }, `${board.products} products · ${date(board.today)}`),
    firsts("Out of stock", board.out.first),
    firsts("Low stock", board.low.first),
    firsts("Expiring soon", board.near_expiry.first),
    firsts("Expired", board.expired.first));
}

function row(item) {
  const p = item.product;
  return h("li", {},
    h("a", { href: `#/product/${p.id}`, class: "row", "data-product": p.name },
      h("span", { class: "name" }, p.name, p.category ? h("small", {}, p.category) : null),
      h("span", { class: "qty" }, qty(p.on_hand, p.unit)),
      badges(item),
      p.earliest_expiry ? h("small", { class: "expiry" }, `exp ${date(p.earliest_expiry)}`) : null));
}

// -- Inventory ----------------------------------------------------------------------

async function inventoryPage(params) {
  const filters = {
    status: params.get("status") || "all",
    category: params.get("category") || "",
    q: params.get("q") || "",
    expires_before: params.get("expires_before") || "",
    sort: params.get("sort") || (params.get("status") === "near_expiry" ? "expiry" : "name"),
    page: Number(params.get("page") || 0),
  };
  const categories = (await api.get(shopPath("/categories"))).categories.filter(Boolean);
  const list = h("ul", { class: "list", id: "inventory-list" });
  const summary = h("p", { class: "muted", id: "inventory-summary" });
  const pager = h("div", { class: "pager" });

  const remember = () => {
    const query = new URLSearchParams(
      Object.entries(filters).filter(([k, v]) => v !== "" && !(k === "page" && !v)
        && !(k === "status" && v === "all")));
    history.replaceState(null, "", `#/inventory${query.size ? "?" + query : ""}`);
  };
  let asked = 0;
  const load = async () => {
    const ticket = ++asked;
    remember();
    const page = await api.get(shopPath("/inventory"), { ...filters, page_size: 50 });
    if (ticket !== asked) return; // a newer keystroke is on its way
    list.replaceChildren(...page.items.map(row));
    if (!page.items.length) list.append(h("li", { class: "muted" }, "Nothing matches."));
    summary.textContent = `${page.total} products`;
    pager.replaceChildren(
      h("button", { type: "button", disabled: filters.page <= 0,
        onclick: () => { filters.page -= 1; load(); } }, "‹ Previous"),
      h("span", {}, `Page ${filters.page + 1} of ${page.pages}`),
      h("button", { type: "button", disabled: filters.page + 1 >= page.pages,
        onclick: () => { filters.page += 1; load(); } }, "Next ›"));
  };
  const change = (name) => (event) => { filters[name] = event.target.value; filters.page = 0; load(); };
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Status" },
    [["all", "All"], ["low", "🟠 Low"], ["out", "🔴 Out"], ["near_expiry", "🟠 Near expiry"],
      ["expired", "🔴 Expired"]].map(([value, label]) => h("button", {
      type: "button", class: filters.status === value ? "chip on" : "chip", "data-status": value,
      onclick: (event) => {
        filters.status = value; filters.page = 0;
        for (const chip of chips.children) chip.classList.toggle("on", chip === event.target);
        load();
      },
    }, label)));
  render("Inventory",
    h("input", { type: "search", id: "search", placeholder: "Search name or barcode",
      value: filters.q, "aria-label": "Search", oninput: debounce(change("q"), 200) }),
    chips,
    h("div", { class: "filters" },
      h("label", {}, "Category",
        h("select", { id: "category", onchange: change("category") },
          h("option", { value: "" }, "All"),
          categories.map((c) => h("option", { value: c, selected: c === filters.category }, c)))),
      h("label", {}, "Expires before",
        h("input", { type: "date", id: "expires-before", value: filters.expires_before,
          onchange: change("expires_before") })),
      h("label", {}, "Sort",
        h("select", { id: "sort", onchange: change("sort") },
          [["name", "Name"], ["quantity", "Quantity"], ["expiry", "Expiry"]].map(([v, l]) =>
            h("option", { value: v, selected: v === filters.sort }, l))))),
    summary, list, pager);
  await load();
}

// -- Product ------------------------------------------------------------------------

async function productPage(id) {
  const [card, timeline, history] = await Promise.all([
    api.get(shopPath(`/products/${id}`)),
    api.get(shopPath(`/products/${id}/timeline`), { days: 30 }),
    api.get(shopPath(`/products/${id}/history`), { limit: 10 }),
  ]);
  const p = card.product;
  const note = h("p", { class: "notice", role: "status", id: "product-notice" });
  const adjust = async (delta, button) => {
    button.disabled = true;
    try {
      await api.post(shopPath("/movements"),
        { product_id: id, kind: "adjustment", quantity: delta }, api.newKey());
      tg.haptic();
      await productPage(id);
    } catch (error) {
      note.replaceChildren(failure(error));
      button.disabled = false;
    }
  };
  const facts = [
    ["Store price", money(p.price)],
    p.cost !== null ? ["Supplier price", money(p.cost)] : null,
    p.supplier ? ["Supplier", p.supplier] : null,
    ["Low below", qty(p.threshold, p.unit)],
    ["Reorder on", date(p.reorder_date)],
    ["Category", p.category || "—"],
    p.barcodes.length ? ["Barcodes", p.barcodes.join(", ")] : null,
  ].filter(Boolean);
  render(p.name,
    h("section", { class: "card hero" },
      h("div", { class: "onhand" },
        h("button", { type: "button", class: "step", "aria-label": "minus one",
          onclick: (e) => adjust("-1", e.currentTarget), disabled: Number(p.on_hand) < 1 }, "−1"),
        h("span", { class: "big", id: "on-hand" }, qty(p.on_hand, p.unit)),
        h("button", { type: "button", class: "step", "aria-label": "plus one",
          onclick: (e) => adjust("1", e.currentTarget) }, "+1")),
      badges(card), note,
      h("div", { class: "actions" },
        h("a", { class: "button", href: `#/entry/${id}?kind=restock` }, "Restock"),
        h("a", { class: "button", href: `#/entry/${id}?kind=removal` }, "Remove"),
        isOwner() ? h("a", { class: "button ghost", href: `#/products/${id}/edit` }, "Edit") : null)),
    h("section", { class: "card" }, h("h2", {}, "Details"),
      h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
    h("section", { class: "card" }, h("h2", {}, "Batches"),
      card.batches.length ? h("table", { class: "batches" },
        h("thead", {}, h("tr", {}, h("th", {}, "Expiry"), h("th", {}, "Quantity"),
          isOwner() ? h("th", {}, "Cost") : null)),
        h("tbody", {}, card.batches.map((b) => h("tr", {},
          h("td", {}, date(b.expiry)), h("td", {}, qty(b.quantity, p.unit)),
          isOwner() ? h("td", {}, money(b.cost)) : null))))
        : h("p", { class: "muted" }, "No stock on hand.")),
    h("section", { class: "card" }, h("h2", {}, "Last 30 days"),
      stockChart(timeline.points, { threshold: p.threshold, unit: p.unit })),
    historySection(history, () => productPage(id)));
}

function historySection(history, refresh) {
  const list = h("ul", { class: "history", id: "history" });
  const add = (entries) => list.append(...entries.map((entry) => {
    const m = entry.movement;
    const sign = m.quantity.startsWith("-") ? "" : "+";
    return h("li", { class: entry.undone ? "undone" : "" },
      h("span", { class: "what" }, `${sign}${m.quantity} ${entry.unit} · ${m.reason}`),
      h("small", {}, `${entry.product_name} · ${entry.user_name} · ${when(m.created_at)}`,
        m.note ? ` · ${m.note}` : ""),
      entry.can_undo && !entry.undone ? h("button", {
        type: "button", class: "link", "data-undo": m.id,
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            await api.post(shopPath(`/movements/${m.id}/undo`), undefined, api.newKey());
            await refresh();
          } catch (error) { list.before(failure(error)); }
        },
      }, "Undo") : null);
  }));
  add(history.entries);
  if (!history.entries.length) list.append(h("li", { class: "muted" }, "No movements yet."));
  return h("section", { class: "card" }, h("h2", {}, "History"), list);
}

// -- Stock entry --------------------------------------------------------------------

async function entryPage(productId, params) {
  let kind = params.get("kind") || "restock";
  const products = productId ? null
    : (await api.get(shopPath("/products"), { page_size: 100 })).products;
  const product = productId ? (await api.get(shopPath(`/products/${productId}`))).product : null;
  const done = h("div", { class: "success", role: "status", id: "entry-done", hidden: true });
  const fields = {};
  const field = (name, label, input, hint) => {
    const message = h("span", { class: "field-error", id: `${name}-error` });
    fields[name] = { input, message, wrap: null };
    const wrap = h("label", { class: "field", "data-field": name }, label, input,
      hint ? h("small", { class: "muted" }, hint) : null, message);
    fields[name].wrap = wrap;
    return wrap;
  };
  let key = api.newKey(); // one per submit; kept while a retry of it is possible
  const picker = product
    ? h("p", { class: "picked" }, h("strong", {}, product.name), ` · on hand ${qty(product.on_hand, product.unit)}`)
    : field("product_id", "Product", h("select", { name: "product_id", required: true },
      h("option", { value: "" }, "Choose…"),
      products.map((p) => h("option", { value: p.id }, `${p.name} (${p.on_hand} ${p.unit})`))));
  const reason = field("reason", "Reason", h("select", { name: "reason" },
    REASONS.map(([value, label]) => h("option", { value }, label))));
  const restockOnly = [
    field("expiry", "Expiry date", h("input", { type: "date", name: "expiry" })),
    field("cost", "Supplier price", h("input", { name: "cost", inputmode: "decimal", placeholder: "1.20" }),
      "What you paid per unit; staff and customers never see it"),
    isOwner() ? field("price", "Store price", h("input", { name: "price", inputmode: "decimal", placeholder: "2.00" })) : null,
    field("reorder_date", "Reorder date", h("input", { type: "date", name: "reorder_date" })),
  ].filter(Boolean);
  const kinds = h("div", { class: "chips", role: "group", "aria-label": "Movement" },
    [["restock", "Add"], ["removal", "Remove"], ["count", "Count"]].map(([value, label]) =>
      h("button", { type: "button", "data-kind": value, class: value === kind ? "chip on" : "chip",
        onclick: () => { kind = value; layout(); } }, label)));
  const form = h("form", { id: "entry-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } },
    picker, kinds,
    field("quantity", "Quantity", h("input", { name: "quantity", inputmode: "decimal", required: true, placeholder: "20" })),
    reason, ...restockOnly,
    field("note", "Note", h("input", { name: "note", maxlength: 200 })),
    h("button", { type: "submit", class: "primary", id: "entry-submit", hidden: tg.mainButton.available }, "Save"));
  const layout = () => {
    for (const chip of kinds.children) chip.classList.toggle("on", chip.dataset.kind === kind);
    reason.hidden = kind !== "removal";
    for (const wrap of restockOnly) wrap.hidden = kind !== "restock";
    fields.quantity.wrap.firstChild.textContent = kind === "count" ? "Counted on the shelf" : "Quantity";
  };
  const clearErrors = () => { for (const f of Object.values(fields)) { f.message.textContent = ""; f.wrap.classList.remove("bad"); } };
  const submit = async () => {
    clearErrors();
    done.hidden = true;
    const value = (name) => (fields[name] && !fields[name].wrap.hidden ? fields[name].input.value.trim() : "");
    const id = product ? product.id : Number(value("product_id"));
    if (!id) { fields.product_id.message.textContent = "Choose a product."; fields.product_id.wrap.classList.add("bad"); return; }
    const body = { product_id: id, kind, quantity: value("quantity") };
    if (kind === "removal") body.reason = value("reason");
    for (const name of ["expiry", "cost", "price", "reorder_date"]) if (value(name)) body[name] = value(name);
    if (value("note")) body.note = value("note");
    try {
      const result = await api.post(shopPath("/movements"), body, key);
      key = api.newKey();
      const m = result.movement;
      const p = result.product;
      const verb = { restock: "Added", removal: "Removed", count: "Counted" }[kind];
      done.replaceChildren(
        h("strong", {}, `✅ ${verb} ${kind === "count" ? value("quantity") : m.quantity.replace("-", "")} ${p.unit} of ${p.name}`),
        h("span", {}, ` — on hand now ${qty(p.on_hand, p.unit)}`),
        result.expired_on_arrival ? h("span", { class: "error" }, " (already expired!)") : null,
        h("a", { href: `#/product/${p.id}`, class: "link" }, " Open product"));
      done.hidden = false;
      tg.haptic();
      for (const f of Object.values(fields)) if (f.input.tagName === "INPUT") f.input.value = "";
      if (product) product.on_hand = p.on_hand;
    } catch (error) {
      if (!(error instanceof api.ApiError)) { done.replaceChildren(failure(error)); done.hidden = false; return; }
      key = api.newKey();
      const target = fields[error.field];
      if (target && !target.wrap.hidden) {
        target.message.textContent = error.message;
        target.wrap.classList.add("bad");
        target.input.focus();
      } else {
        done.replaceChildren(failure(error));
        done.hidden = false;
      }
    }
  };
  if (kind === "remove") kind = "removal";
  layout();
  render(product ? `Stock entry · ${product.name}` : "Stock entry", done, form);
  if (tg.mainButton.available) tg.mainButton.show("Save", submit);
}

// -- Products -----------------------------------------------------------------------

async function productsPage(params) {
  const list = h("ul", { class: "list", id: "products-list" });
  const summary = h("p", { class: "muted" });
  let q = params.get("q") || "";
  const load = async () => {
    const page = await api.get(shopPath("/products"), { q, page_size: 100 });
    list.replaceChildren(...page.products.map((p) => h("li", {},
      h("a", { class: "row", href: isOwner() ? `#/products/${p.id}/edit` : `#/product/${p.id}`, "data-product": p.name },
        h("span", { class: "name" }, p.name, p.category ? h("small", {}, p.category) : null),
        h("span", { class: "qty" }, p.price ? money(p.price) : ""),
        p.cost !== null ? h("small", { class: "cost" }, `cost ${money(p.cost)}`) : null))));
    summary.textContent = page.total > page.products.length
      ? `${page.products.length} of ${page.total}; search to narrow` : `${page.total} products`;
  };
  render("Products",
    h("div", { class: "toolbar" },
      h("input", { type: "search", placeholder: "Search", value: q, "aria-label": "Search products",
        oninput: debounce((e) => { q = e.target.value; load(); }, 200) }),
      isOwner() ? h("a", { class: "button primary", href: "#/products/new", id: "add-product" }, "+ Add") : null),
    summary, list);
  await load();
}

async function productForm(id) {
  const existing = id ? (await api.get(shopPath(`/products/${id}`))).product : null;
  const categories = (await api.get(shopPath("/categories"))).categories.filter(Boolean);
  const fields = {};
  const field = (name, label, input) => {
    const message = h("span", { class: "field-error", id: `${name}-error` });
    const wrap = h("label", { class: "field", "data-field": name }, label, input, message);
    fields[name] = { input, message, wrap };
    if (existing && existing[name] !== undefined && existing[name] !== null && input.tagName === "INPUT") {
      input.value = Array.isArray(existing[name]) ? existing[name].join(", ") : existing[name];
    }
    return wrap;
  };
  const unit = h("select", { name: "unit" }, UNITS.map((u) =>
    h("option", { value: u, selected: existing ? existing.unit === u : u === "pcs" }, u)));
  const done = h("div", { class: "success", role: "status", hidden: true });
  const form = h("form", { id: "product-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } },
    field("name", "Name", h("input", { name: "name", required: true, maxlength: 64 })),
    field("category", "Category", h("input", { name: "category", list: "categories" })),
    h("datalist", { id: "categories" }, categories.map((c) => h("option", { value: c }))),
    field("unit", "Unit", unit),
    field("threshold", "Low-stock threshold", h("input", { name: "threshold", inputmode: "decimal" })),
    field("price", "Store price", h("input", { name: "price", inputmode: "decimal" })),
    field("cost", "Supplier price", h("input", { name: "cost", inputmode: "decimal" })),
    field("supplier", "Supplier", h("input", { name: "supplier" })),
    field("barcodes", "Barcodes (comma-separated)", h("input", { name: "barcodes", inputmode: "numeric" })),
    field("expiry_warning_days", "Warn days before expiry", h("input", { name: "expiry_warning_days", inputmode: "numeric" })),
    h("button", { type: "submit", class: "primary", id: "product-save", hidden: tg.mainButton.available }, "Save"),
    existing ? h("button", { type: "button", class: "danger", id: "archive", onclick: archive }, "Archive product") : null);
  let key = api.newKey();
  async function save() {
    for (const f of Object.values(fields)) { f.message.textContent = ""; f.wrap.classList.remove("bad"); }
    const body = {};
    for (const [name, f] of Object.entries(fields)) {
      const value = f.input.value.trim();
      if (value === "" && name !== "category" && name !== "supplier") continue;
      if (existing && String(existing[name] ?? "") === value) continue;
      if (name === "barcodes") body[name] = value.split(",").map((b) => b.trim()).filter(Boolean);
      else if (name === "expiry_warning_days") body[name] = Number(value);
      else body[name] = value;
    }
    if (!existing && !body.name) { fields.name.message.textContent = "A product needs a name."; fields.name.wrap.classList.add("bad"); return; }
    try {
      const saved = existing ? await api.patch(shopPath(`/products/${id}`), body)
        : await api.post(shopPath("/products"), body, key);
      key = api.newKey();
      tg.haptic();
      if (existing) {
        Object.assign(existing, saved);
        done.replaceChildren(h("strong", {}, `✅ Saved ${saved.name}`));
        done.hidden = false;
      } else {
        go(`#/product/${saved.id}`, { replace: true });
      }
    } catch (error) {
      key = api.newKey();
      const target = error instanceof api.ApiError && fields[(error.field || "").split(".")[0]];
      if (target) { target.message.textContent = error.message; target.wrap.classList.add("bad"); target.input.focus(); }
      else { done.replaceChildren(failure(error)); done.hidden = false; }
    }
  }
  async function archive() {
    if (!confirm(`Archive ${existing.name}? Its history stays.`)) return;
    await api.remove(shopPath(`/products/${id}`));
    go("#/products", { replace: true });
  }
  render(existing ? `Edit ${existing.name}` : "New product", done, form);
  if (tg.mainButton.available) tg.mainButton.show("Save", save);
}

// -- start --------------------------------------------------------------------------

function chooseShop(me) {
  const wanted = Number(new URLSearchParams(location.search).get("shop")
    || localStorage.getItem("stockbot.shop"));
  return me.shops.find((s) => s.id === wanted) || me.shops[0] || null;
}

function startRoute() {
  // An "Open app" button names its page in the query: ?route=inventory&status=low.
  const query = new URLSearchParams(location.search);
  const route = query.get("route");
  if (!route) return location.hash.startsWith("#/") ? location.hash : "#/dashboard";
  const rest = new URLSearchParams(query);
  for (const name of ["route", "shop", "id"]) rest.delete(name);
  const id = query.get("id");
  return `#/${route}${id ? "/" + id : ""}${rest.size ? "?" + rest : ""}`;
}

async function start() {
  tg.startTheme();
  let me = await api.session();
  if (!me && tg.initData) {
    try { me = await api.logIn(tg.initData); } catch (error) { me = null; view.replaceChildren(failure(error)); }
  }
  if (!me) {
    render("Stockbot", h("section", { class: "card" },
      h("h2", {}, "Open Stockbot from Telegram"),
      h("p", {}, "This page is the shop's app. Open it with the bot's menu button or an “Open app” button in the chat; that logs you in."),
      view.firstChild && view.firstChild.classList && view.firstChild.classList.contains("error") ? view.firstChild : null));
    tg.ready();
    return;
  }
  state.me = me;
  state.shop = chooseShop(me);
  if (!state.shop) {
    render("Stockbot", h("section", { class: "card" }, h("h2", {}, `Hello ${me.user.name}`),
      h("p", {}, "You are not in a shop yet. Create one in the chat with /newshop <name>, or ask an owner for an invite.")));
    tg.ready();
    return;
  }
  shopSelect.replaceChildren(...me.shops.map((s) => h("option", { value: s.id, selected: s.id === state.shop.id }, s.name)));
  shopSelect.hidden = me.shops.length < 2;
  shopSelect.onchange = () => {
    state.shop = me.shops.find((s) => s.id === Number(shopSelect.value));
    localStorage.setItem("stockbot.shop", state.shop.id);
    go("#/dashboard");
  };
  tabs.hidden = false;
  history.replaceState(null, "", location.pathname + startRoute());
  await show();
  tg.ready();
}

window.addEventListener("hashchange", show);
back.addEventListener("click", () => history.back());
start();
