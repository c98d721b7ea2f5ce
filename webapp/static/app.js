// Stockbot's Mini App: Dashboard, Inventory, Product, Stock entry, Products, History and
// More (export, settings, log out) over the JSON API. Plain ES modules, no build step.
// Pages are drawn from data with `h`, which sets text, never HTML, so a product name
// cannot inject markup. Every word comes from texts.js.

import * as api from "./api.js";
import { stockChart } from "./chart.js";
import { textsFor } from "./texts.js";
import * as tg from "./tg.js";

const T = textsFor(tg.languageCode);
const view = document.getElementById("view");
const title = document.getElementById("title");
const back = document.getElementById("back");
const more = document.getElementById("more");
const shopSelect = document.getElementById("shop");
const tabs = document.getElementById("tabs");

const state = { me: null, shop: null };
const UNITS = ["pcs", "kg", "g", "l", "ml", "pack", "box", "bottle", "can", "bag", "m"];
const REMOVAL_REASONS = ["sale", "damage", "expired", "adjustment", "return"];
// Product fields that an emptied input clears (the API's `clear`), and those sent as numbers.
const CLEARABLE = ["reorder_date", "lead_days", "expiry_warning_days"];
const WHOLE_NUMBERS = ["expiry_warning_days", "lead_days"];
// 🟠 and 🔴 as CSS dots (.dot.amber, .dot.red): the same on every phone, with or
// without an emoji font.
const STATUS_TONE = { low: "amber", out: "red", near_expiry: "amber", expired: "red" };
const dot = (status) => h("span", { class: `dot ${STATUS_TONE[status]}`, "aria-hidden": "true" });
const PAGE_SIZE = 50;
const HISTORY_PAGE = 20;

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
const dayFirst = () => !state.shop || state.shop.day_first;
// Numbers as the chat writes them: as sent in English (2.5, 19.60 EUR), in the reader's
// locale otherwise (2,5; 19,60 €).
const localized = T.locale !== "en";
const numbers = new Intl.NumberFormat(T.locale, { maximumFractionDigits: 3 });
const plurals = new Intl.PluralRules(T.locale);
const asNumber = (value) => Number(String(value).replace(",", "."));

function number(value) {
  return localized && Number.isFinite(asNumber(value)) ? numbers.format(asNumber(value)) : String(value);
}

// A product's quantity: its number, and its unit in the form that number takes when the
// bot knows the unit (the API's unit_known: 12 boxes, 5 коробок); a shop's own as typed.
function qty(value, product) {
  const forms = product.unit_known ? T.units[product.unit_known] : null;
  const unit = forms ? forms[plurals.select(asNumber(value))] || forms.other : product.unit;
  return `${number(value)} ${unit}`;
}

function money(value) {
  if (value === null || value === undefined) return "—";
  if (!localized) return `${value} ${state.shop.currency}`;
  const format = { style: "currency", currency: state.shop.currency };
  return new Intl.NumberFormat(T.locale, format).format(Number(value));
}

function date(value) {
  if (!value) return "—";
  const [y, m, d] = value.split("-");
  return dayFirst() ? `${d}.${m}.${y}` : `${m}/${d}/${y}`;
}

// A moment as the shop's clock shows it: its day and 24-hour time.
function shopClock(moment) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23" };
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: state.shop.timezone })
      .formatToParts(moment);
  } catch {
    parts = new Intl.DateTimeFormat("en-CA", options).formatToParts(moment);
  }
  const part = (type) => parts.find((p) => p.type === type).value;
  return { day: `${part("year")}-${part("month")}-${part("day")}`, time: `${part("hour")}:${part("minute")}` };
}

function when(timestamp) {
  const { day, time } = shopClock(new Date(timestamp));
  return `${date(day)} ${time}`;
}

function shortDay(ms) {
  const [, m, d] = shopClock(new Date(ms)).day.split("-");
  return dayFirst() ? `${d}.${m}` : `${m}/${d}`;
}

function badges(item) {
  const shown = [item.stock_status, item.expiry_status].filter((s) => STATUS_TONE[s]);
  return h("span", { class: "badges" }, shown.map((status) =>
    h("span", { class: `badge ${status}` }, dot(status), T.badges[status])));
}

// replaceChildren, skipping what is left out (it would write "null" as text).
function fill(node, ...children) {
  node.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

function render(heading, ...content) {
  title.textContent = heading;
  document.title = `${heading} · ${T.app}`;
  view.replaceChildren(...content.filter(Boolean));
}

function failure(error) {
  const words = error instanceof api.NetworkError ? T.offline
    : error.message || (error instanceof api.ApiError ? T.requestFailed(error.status) : String(error));
  return h("p", { class: "error", role: "alert" }, words);
}

function debounce(run, ms) {
  let timer = 0;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => run(...args), ms); };
}

function pager(page, pages, turn) {
  if (pages <= 1) return [];
  return [
    h("button", { type: "button", class: "previous", disabled: page <= 0,
      onclick: () => turn(page - 1) }, T.previous),
    h("span", {}, T.pageOf(page + 1, pages)),
    h("button", { type: "button", class: "next", disabled: page + 1 >= pages,
      onclick: () => turn(page + 1) }, T.next),
  ];
}

// A form's fields with their messages beside them: `field` makes one, `showError` puts
// the API's complaint beside the field it names (or returns false when it names none).
function fieldSet() {
  const fields = {};
  const field = (name, label, input, hint) => {
    const message = h("span", { class: "field-error", id: `${name}-error` });
    const caption = h("span", { class: "caption" }, label);
    const wrap = h("label", { class: "field", "data-field": name }, caption, input,
      hint ? h("small", { class: "muted" }, hint) : null, message);
    fields[name] = { input, message, wrap, caption };
    return wrap;
  };
  const clear = () => {
    for (const f of Object.values(fields)) { f.message.textContent = ""; f.wrap.classList.remove("bad"); }
  };
  const complain = (name, text) => {
    const target = fields[name];
    if (!target || target.wrap.hidden) return false;
    target.message.textContent = text;
    target.wrap.classList.add("bad");
    target.input.focus();
    return true;
  };
  const showError = (error) =>
    error instanceof api.ApiError && complain((error.field || "").split(".")[0], error.message);
  return { fields, field, clear, complain, showError };
}

// -- routing ----------------------------------------------------------------------

function parseRoute() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  return { parts, params: new URLSearchParams(query || "") };
}

export function go(hash, { replace = false } = {}) {
  if (replace) history.replaceState(history.state, "", hash);
  else history.pushState(null, "", hash);
  show();
}

// Where Back leads. Each entry of the page's history remembers how deep in the app it is
// and which page led to it, so Back never leaves the app: a page opened first (from an
// "Open app" button or a bookmark) goes back to the dashboard, and so do the lists.
const LISTS = new Set(["inventory", "history"]);
let here = null;

function arrive(page) {
  let entry = history.state;
  if (!entry || typeof entry.depth !== "number") {
    entry = here ? { depth: here.depth + 1, from: here.page } : { depth: 0, from: null };
    history.replaceState(entry, "", location.href);
  }
  here = { page, depth: entry.depth, from: entry.from };
}

function goBack() {
  const toDashboard = LISTS.has(here.page) || here.depth === 0;
  if (!toDashboard || here.from === "dashboard") history.back();
  else go("#/dashboard", { replace: here.depth === 0 });
}

function setBack(visible) {
  if (visible) {
    // Inside Telegram its own Back button; in a browser the page's, which says where a
    // list goes back to.
    const toDashboard = LISTS.has(here.page) || here.depth === 0;
    back.textContent = toDashboard ? T.backToDashboard : "‹";
    back.classList.toggle("labelled", toDashboard);
    back.setAttribute("aria-label", toDashboard ? T.backToDashboardLabel : T.back);
    back.hidden = tg.backButton.available;
    tg.backButton.show(goBack);
  } else {
    back.hidden = true;
    tg.backButton.hide();
  }
}

const TAB_OF_PAGE = { product: "inventory" };

async function show() {
  tg.mainButton.hide();
  const { parts, params } = parseRoute();
  const page = parts[0] || "dashboard";
  for (const link of tabs.querySelectorAll("a")) {
    link.classList.toggle("active", link.dataset.tab === (TAB_OF_PAGE[page] || page));
  }
  arrive(page);
  setBack(page !== "dashboard");
  try {
    if (page === "inventory") await inventoryPage(params);
    else if (page === "product") await productPage(Number(parts[1]));
    else if (page === "entry") await entryPage(parts[1] ? Number(parts[1]) : null, params);
    else if (page === "products" && parts[1] === "new") await productForm(null);
    else if (page === "products" && parts[2] === "edit") await productForm(Number(parts[1]));
    else if (page === "products") await productsPage(params);
    else if (page === "history") await shopHistoryPage();
    else if (page === "more") await morePage();
    else await dashboardPage();
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 401) return start();
    render(T.app, failure(error));
  }
  view.dataset.page = page;
  view.dataset.ready = "1";
}

// -- Dashboard ----------------------------------------------------------------------

async function dashboardPage() {
  const board = await api.get(shopPath("/dashboard"), { first: 3 });
  const box = (name, count, tone) => h("a", {
    class: `box ${tone}`, href: `#/inventory?status=${name}`, "data-box": name,
  },
  h("span", { class: "count" }, count),
  h("span", { class: "label" }, T.boxes[name]),
  h("span", { class: "view-all" }, T.viewAll));
  // The first few of a box; when there are more, the way to all of them says how many.
  const firsts = (name) => board[name].first.length ? h("section", { class: "card" },
    h("h2", {}, T.firsts[name]),
    h("ul", { class: "list" }, board[name].first.map(row)),
    board[name].count > board[name].first.length
      ? h("a", { class: "view-all", href: `#/inventory?status=${name}`, "data-more": name },
        T.viewAllOf(board[name].count))
      : null) : null;
  render(state.shop.name,
    h("div", { class: "boxes" },
      box("low", board.low.count, "amber"),  // low or out: the inventory's "low" list
      box("out", board.out.count, "red"),
      box("near_expiry", board.near_expiry.count, "amber"),
      box("expired", board.expired.count, "red")),
    h("p", { class: "muted" }, T.productsOn(board.products, date(board.today))),
    takings(board),
    firsts("low"), firsts("near_expiry"), firsts("expired"));
}

// What the shop took in, and (owners only: the API leaves it null for staff) what its
// stock is worth at cost — as the chat's /dashboard shows them.
function takings(board) {
  const figure = (name, label, value) => h("div", { class: "figure", "data-figure": name },
    h("span", { class: "label" }, label), h("span", { class: "amount" }, money(value)));
  return h("section", { class: "card", id: "takings" },
    h("div", { class: "figures" },
      figure("sales_today", T.salesToday, board.sales_today),
      figure("sales_this_week", T.salesThisWeek, board.sales_this_week),
      board.stock_at_cost !== null ? figure("stock_at_cost", T.stockAtCost, board.stock_at_cost) : null));
}

function row(item) {
  const p = item.product;
  return h("li", {},
    h("a", { href: `#/product/${p.id}`, class: "row", "data-product": p.name },
      h("span", { class: "name" }, p.name, p.category ? h("small", {}, p.category) : null),
      h("span", { class: "qty" }, qty(p.on_hand, p)),
      h("span", { class: "meta" }, badges(item), h("small", { class: "expiry" }, ...rowNotes(item)))));
}

// Under the quantity: what expires when (near expiry or expired, batch by batch, as the
// chat lists it), else the earliest expiry; and the days left when sorted by them.
function rowNotes(item) {
  const p = item.product;
  const notes = [];
  if (item.expiring.length && item.expiry_status !== "none") {
    const going = item.expiring.map((b) => T.expiringBatch(qty(b.quantity, p), date(b.expiry)));
    notes.push(T.expiringOf(going.join(", "), qty(p.on_hand, p)));
  } else if (p.earliest_expiry) {
    notes.push(T.expires(date(p.earliest_expiry)));
  }
  if (item.days_left !== null && item.days_left !== undefined) notes.push(T.daysLeft(item.days_left));
  return notes.flatMap((note, i) => (i ? [h("br"), note] : [note]));
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
  const pages = h("div", { class: "pager" });

  const remember = () => {
    const query = new URLSearchParams(
      Object.entries(filters).filter(([k, v]) => v !== "" && !(k === "page" && !v)
        && !(k === "status" && v === "all")));
    history.replaceState(history.state, "", `#/inventory${query.size ? "?" + query : ""}`);
  };
  let asked = 0;
  const load = async () => {
    const ticket = ++asked;
    remember();
    const page = await api.get(shopPath("/inventory"), { ...filters, page_size: PAGE_SIZE });
    if (ticket !== asked) return; // a newer keystroke is on its way
    list.replaceChildren(...page.items.map(row));
    if (!page.items.length) list.append(h("li", { class: "muted" }, T.nothingMatches));
    summary.textContent = T.productCount(page.total);
    pages.replaceChildren(...pager(filters.page, page.pages, (to) => {
      filters.page = to;
      load().then(() => view.scrollIntoView());
    }));
  };
  const change = (name) => (event) => { filters[name] = event.target.value; filters.page = 0; load(); };
  const chips = h("div", { class: "chips", role: "group", "aria-label": T.status },
    Object.entries(T.statusChips).map(([value, label]) => h("button", {
      type: "button", class: filters.status === value ? "chip on" : "chip", "data-status": value,
      onclick: (event) => {
        filters.status = value; filters.page = 0;
        for (const chip of chips.children) chip.classList.toggle("on", chip === event.currentTarget);
        load();
      },
    }, STATUS_TONE[value] ? dot(value) : null, label)));
  render(T.inventory,
    h("input", { type: "search", id: "search", placeholder: T.searchNameOrBarcode,
      value: filters.q, "aria-label": T.search, oninput: debounce(change("q"), 200) }),
    chips,
    h("div", { class: "filters" },
      h("label", {}, T.category,
        h("select", { id: "category", onchange: change("category") },
          h("option", { value: "" }, T.allCategories),
          categories.map((c) => h("option", { value: c, selected: c === filters.category }, c)))),
      h("label", {}, T.expiresBefore,
        h("input", { type: "date", id: "expires-before", value: filters.expires_before,
          onchange: change("expires_before") })),
      h("label", {}, T.sort,
        h("select", { id: "sort", onchange: change("sort") },
          Object.entries(T.sorts).map(([v, l]) =>
            h("option", { value: v, selected: v === filters.sort }, l))))),
    summary, list, pages);
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
    [T.storePrice, money(p.price)],
    p.cost !== null ? [T.supplierPrice, money(p.cost)] : null,
    p.supplier ? [T.supplier, p.supplier] : null,
    [T.lowBelow, qty(p.threshold, p)],
    card.sold_per_day !== null ? [T.sells, [T.pace(qty(card.sold_per_day, p)),
      card.days_left !== null ? ` · ${T.daysLeft(card.days_left)}` : ""].join("")] : null,
    [T.reorderOn, date(p.reorder_date)],
    [T.leadTime, p.lead_days !== null ? T.days(p.lead_days) : T.defaultLead(T.days(state.shop.default_lead_days))],
    [T.category, p.category || "—"],
    p.barcodes.length ? [T.barcodes, p.barcodes.join(", ")] : null,
  ].filter(Boolean);
  render(p.name,
    h("section", { class: "card hero" },
      h("div", { class: "onhand" },
        h("button", { type: "button", class: "step", "aria-label": T.minusOne,
          onclick: (e) => adjust("-1", e.currentTarget), disabled: Number(p.on_hand) < 1 }, "−1"),
        h("span", { class: "big", id: "on-hand" }, qty(p.on_hand, p)),
        h("button", { type: "button", class: "step", "aria-label": T.plusOne,
          onclick: (e) => adjust("1", e.currentTarget) }, "+1")),
      badges(card), note,
      h("div", { class: "actions" },
        h("a", { class: "button", href: `#/entry/${id}?kind=restock` }, T.restock),
        h("a", { class: "button", href: `#/entry/${id}?kind=removal` }, T.remove),
        isOwner() ? h("a", { class: "button ghost", href: `#/products/${id}/edit` }, T.edit) : null)),
    h("section", { class: "card" }, h("h2", {}, T.details),
      h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
    h("section", { class: "card" }, h("h2", {}, T.batches),
      card.batches.length ? h("table", { class: "batches" },
        h("thead", {}, h("tr", {}, h("th", {}, T.expiry), h("th", {}, T.quantity),
          isOwner() ? h("th", {}, T.cost) : null)),
        h("tbody", {}, card.batches.map((b) => h("tr", {},
          h("td", {}, date(b.expiry)), h("td", {}, qty(b.quantity, p)),
          isOwner() ? h("td", {}, money(b.cost)) : null))))
        : h("p", { class: "muted" }, T.noStock)),
    h("section", { class: "card" }, h("h2", {}, T.lastDays(30)),
      stockChart(timeline.points, {
        since: timeline.since, threshold: p.threshold, dayLabel: shortDay,
        lowLabel: T.chartLow, label: T.chartLabel(qty(p.on_hand, p)),
      })),
    historySection(history, {
      more: (before) => api.get(shopPath(`/products/${id}/history`), { limit: 10, before }),
      refresh: () => productPage(id),
      withProduct: false,
    }),
    h("p", {}, h("a", { href: "#/history" }, T.seeAll)));
}

// The ledger, newest first, with Undo on what the member may undo and "Show more".
function historySection(history, { more, refresh, withProduct }) {
  const list = h("ul", { class: "history", id: "history" });
  const error = h("div", {});
  const entry = (e) => {
    const m = e.movement;
    const sign = m.quantity.startsWith("-") ? "" : "+";
    const what = `${sign}${qty(m.quantity, e)} · ${T.reasons[m.reason] || m.reason}`;
    return h("li", { class: e.undone ? "undone" : "" },
      h("span", { class: "what" }, withProduct ? h("a", { href: `#/product/${m.product_id}` }, e.product_name) : null,
        withProduct ? " " : null, what),
      h("small", {}, `${e.user_name} · ${when(m.created_at)}`, m.note ? ` · ${m.note}` : ""),
      e.can_undo && !e.undone ? h("button", {
        type: "button", class: "link", "data-undo": m.id,
        onclick: async (event) => {
          event.currentTarget.disabled = true;
          try {
            await api.post(shopPath(`/movements/${m.id}/undo`), undefined, api.newKey());
            tg.haptic();
            await refresh();
          } catch (err) { error.replaceChildren(failure(err)); }
        },
      }, T.undo) : null);
  };
  let next = history.next_before;
  const showMore = h("button", { type: "button", class: "link more", id: "history-more",
    hidden: !next,
    onclick: async () => {
      const page = await more(next);
      list.append(...page.entries.map(entry));
      next = page.next_before;
      showMore.hidden = !next;
    } }, T.loadMore);
  list.append(...history.entries.map(entry));
  if (!history.entries.length) list.append(h("li", { class: "muted" }, T.noMovements));
  return h("section", { class: "card" }, h("h2", {}, T.history), error, list, showMore);
}

async function shopHistoryPage() {
  const load = () => api.get(shopPath("/history"), { limit: HISTORY_PAGE });
  const history = await load();
  render(T.shopHistory, historySection(history, {
    more: (before) => api.get(shopPath("/history"), { limit: HISTORY_PAGE, before }),
    refresh: shopHistoryPage,
    withProduct: true,
  }));
}

// -- Stock entry --------------------------------------------------------------------

// Find a product as you type (name or barcode), for shops of any size.
function productPicker(form, onChosen) {
  const results = h("ul", { class: "picker", id: "product-results" });
  let asked = 0;
  const find = async (q) => {
    const ticket = ++asked;
    const page = await api.get(shopPath("/products"), { q, page_size: 8 });
    if (ticket !== asked) return;
    results.replaceChildren(...page.products.map((p) => h("li", {},
      h("button", { type: "button", class: "pick", "data-pick": p.name, onclick: () => onChosen(p) },
        h("span", {}, p.name), h("small", {}, qty(p.on_hand, p))))));
    if (!page.products.length) results.append(h("li", { class: "muted" }, T.nothingMatches));
  };
  const input = h("input", { type: "search", id: "product-search", placeholder: T.findProduct,
    autocomplete: "off", oninput: debounce((e) => find(e.target.value.trim()), 200) });
  const wrap = h("div", {}, form.field("product_id", T.product, input), results);
  return { wrap, start: () => find("") };
}

async function entryPage(productId, params) {
  let kind = params.get("kind") || "restock";
  if (kind === "remove") kind = "removal";
  let product = productId ? (await api.get(shopPath(`/products/${productId}`))).product : null;
  const done = h("div", { class: "success", role: "status", id: "entry-done", hidden: true });
  const form = fieldSet();
  const { fields, field } = form;
  let key = api.newKey(); // one per submit; kept while a retry of it is possible
  const picked = h("p", { class: "picked" });
  let picker = null;
  const showPicked = () => {
    fill(picked, h("strong", {}, product.name), ` · ${T.onHand(qty(product.on_hand, product))}`,
      productId ? null : h("button", { type: "button", class: "link change", onclick: () => {
        product = null; picked.hidden = true; picker.wrap.hidden = false;
        fields.product_id.input.focus();
      } }, T.change));
    picked.hidden = false;
    if (picker) picker.wrap.hidden = true;
  };
  if (!product) {
    picker = productPicker(form, (chosen) => { product = chosen; form.clear(); showPicked(); });
    picked.hidden = true;
  } else {
    showPicked();
  }
  const reason = field("reason", T.reason, h("select", { name: "reason" },
    REMOVAL_REASONS.map((value) => h("option", { value }, T.removalReasons[value]))));
  const restockOnly = [
    field("expiry", T.expiryDate, h("input", { type: "date", name: "expiry" })),
    // What the shop pays is the owners' (core.visibility): staff are neither asked for it
    // nor shown it.
    isOwner() ? field("cost", T.supplierPrice, h("input", { name: "cost", inputmode: "decimal", placeholder: "1.20" }),
      T.supplierPriceHint) : null,
    isOwner() ? field("price", T.storePrice, h("input", { name: "price", inputmode: "decimal", placeholder: "2.00" })) : null,
    field("reorder_date", T.reorderDate, h("input", { type: "date", name: "reorder_date" })),
  ].filter(Boolean);
  const kinds = h("div", { class: "chips", role: "group" },
    Object.entries(T.kinds).map(([value, label]) =>
      h("button", { type: "button", "data-kind": value, class: value === kind ? "chip on" : "chip",
        onclick: () => { kind = value; layout(); } }, label)));
  const element = h("form", { id: "entry-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } },
    picked, picker ? picker.wrap : null, kinds,
    field("quantity", T.quantity, h("input", { name: "quantity", inputmode: "decimal", required: true, placeholder: "20" })),
    reason, ...restockOnly,
    field("note", T.note, h("input", { name: "note", maxlength: 200 })),
    h("button", { type: "submit", class: "primary", id: "entry-submit", hidden: tg.mainButton.available }, T.save));
  const layout = () => {
    for (const chip of kinds.children) chip.classList.toggle("on", chip.dataset.kind === kind);
    reason.hidden = kind !== "removal";
    for (const wrap of restockOnly) wrap.hidden = kind !== "restock";
    fields.quantity.caption.textContent = kind === "count" ? T.countedOnShelf : T.quantity;
  };
  const submit = async () => {
    form.clear();
    done.hidden = true;
    const value = (name) => (fields[name] && !fields[name].wrap.hidden ? fields[name].input.value.trim() : "");
    if (!product) { form.complain("product_id", T.chooseProduct); return; }
    const body = { product_id: product.id, kind, quantity: value("quantity") };
    if (kind === "removal") body.reason = value("reason");
    for (const name of ["expiry", "cost", "price", "reorder_date"]) if (value(name)) body[name] = value(name);
    if (value("note")) body.note = value("note");
    try {
      const result = await api.post(shopPath("/movements"), body, key);
      key = api.newKey();
      const m = result.movement;
      const p = result.product;
      const amount = qty(kind === "count" ? value("quantity") : m.quantity.replace("-", ""), p);
      fill(done,
        h("strong", {}, T.done[kind](amount, p.name)),
        h("span", {}, T.onHandNow(qty(p.on_hand, p))),
        result.expired_on_arrival ? h("span", { class: "error" }, T.expiredOnArrival) : null,
        h("a", { href: `#/product/${p.id}`, class: "link" }, T.openProduct));
      done.hidden = false;
      tg.haptic();
      for (const f of Object.values(fields)) if (f.input.tagName === "INPUT" && f.input.name !== "") f.input.value = "";
      product = p;
      showPicked();
    } catch (error) {
      if (!(error instanceof api.ApiError)) { done.replaceChildren(failure(error)); done.hidden = false; return; }
      key = api.newKey();
      if (!form.showError(error)) { done.replaceChildren(failure(error)); done.hidden = false; }
    }
  };
  layout();
  // The product is named in the form; in the title it would be cut off at 360 px.
  render(T.stockEntry, done, element);
  if (picker) await picker.start();
  if (tg.mainButton.available) tg.mainButton.show(T.save, submit);
}

// -- Products -----------------------------------------------------------------------

async function productsPage(params) {
  const list = h("ul", { class: "list", id: "products-list" });
  const summary = h("p", { class: "muted" });
  const notice = h("div", { class: "success", role: "status", hidden: true });
  const pages = h("div", { class: "pager" });
  let q = params.get("q") || "";
  let archived = params.get("archived") === "true";
  let page = 0;
  const restore = async (p, button) => {
    button.disabled = true;
    try {
      await api.post(shopPath(`/products/${p.id}/restore`));
      notice.replaceChildren(h("strong", {}, T.restored(p.name)));
      notice.hidden = false;
      await load();
    } catch (error) {
      notice.replaceChildren(failure(error));
      notice.hidden = false;
      button.disabled = false;
    }
  };
  const line = (p) => {
    const about = [
      h("span", { class: "name" }, p.name, p.category ? h("small", {}, p.category) : null),
      h("span", { class: "qty" }, p.price ? money(p.price) : ""),
      p.cost !== null ? h("small", { class: "cost" }, T.costOf(money(p.cost))) : null,
    ];
    if (archived) {
      return h("li", {}, h("div", { class: "row", "data-product": p.name }, about,
        isOwner() ? h("button", { type: "button", class: "link", "data-restore": p.id,
          onclick: (e) => restore(p, e.currentTarget) }, T.restore) : null));
    }
    return h("li", {}, h("a", { class: "row", "data-product": p.name,
      href: isOwner() ? `#/products/${p.id}/edit` : `#/product/${p.id}` }, about));
  };
  let asked = 0;
  const load = async () => {
    const ticket = ++asked;
    const found = await api.get(shopPath("/products"), { q, archived: archived || undefined, page, page_size: PAGE_SIZE });
    if (ticket !== asked) return;
    list.replaceChildren(...found.products.map(line));
    if (!found.products.length) list.append(h("li", { class: "muted" }, T.nothingMatches));
    summary.textContent = T.productCount(found.total);
    pages.replaceChildren(...pager(page, found.pages, (to) => {
      page = to;
      load().then(() => view.scrollIntoView());
    }));
  };
  const chips = h("div", { class: "chips", role: "group" },
    [[false, T.activeChip], [true, T.archivedChip]].map(([value, label]) => h("button", {
      type: "button", class: archived === value ? "chip on" : "chip", "data-archived": String(value),
      onclick: (event) => {
        archived = value; page = 0; notice.hidden = true;
        for (const chip of chips.children) chip.classList.toggle("on", chip === event.currentTarget);
        load();
      },
    }, label)));
  render(T.products,
    h("div", { class: "toolbar" },
      h("input", { type: "search", placeholder: T.search, value: q, "aria-label": T.searchProducts,
        oninput: debounce((e) => { q = e.target.value; page = 0; load(); }, 200) }),
      isOwner() ? h("a", { class: "button primary", href: "#/products/new", id: "add-product" }, T.add) : null),
    chips, notice, summary, list, pages);
  await load();
}

async function productForm(id) {
  const existing = id ? (await api.get(shopPath(`/products/${id}`))).product : null;
  const categories = (await api.get(shopPath("/categories"))).categories.filter(Boolean);
  const form = fieldSet();
  const { fields } = form;
  const field = (name, label, input, hint) => {
    if (existing && existing[name] !== undefined && existing[name] !== null && input.tagName === "INPUT") {
      input.value = Array.isArray(existing[name]) ? existing[name].join(", ") : existing[name];
    }
    return form.field(name, label, input, hint);
  };
  // Typed, with the common units offered: a shop may count in a unit of its own
  // (a select would have switched such a product to its first option on save).
  const unit = h("input", { name: "unit", list: "units", autocomplete: "off",
    value: existing ? existing.unit : "pcs" });
  const done = h("div", { class: "success", role: "status", hidden: true });
  const element = h("form", { id: "product-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } },
    field("name", T.name, h("input", { name: "name", required: true, maxlength: 64 })),
    field("category", T.category, h("input", { name: "category", list: "categories" })),
    h("datalist", { id: "categories" }, categories.map((c) => h("option", { value: c }))),
    h("datalist", { id: "units" }, UNITS.map((u) => h("option", { value: u }))),
    field("unit", T.unit, unit),
    field("threshold", T.threshold, h("input", { name: "threshold", inputmode: "decimal" })),
    field("price", T.storePrice, h("input", { name: "price", inputmode: "decimal" })),
    field("cost", T.supplierPrice, h("input", { name: "cost", inputmode: "decimal" })),
    field("supplier", T.supplier, h("input", { name: "supplier" })),
    field("barcodes", T.barcodesCommas, h("input", { name: "barcodes", inputmode: "numeric" })),
    field("expiry_warning_days", T.warnDays, h("input", { name: "expiry_warning_days", inputmode: "numeric" }),
      T.emptyForShopDays),
    field("lead_days", T.leadDays, h("input", { name: "lead_days", inputmode: "numeric" }), T.leadDaysHint),
    field("reorder_date", T.reorderDate, h("input", { type: "date", name: "reorder_date" }), T.emptyForNoDate),
    h("button", { type: "submit", class: "primary", id: "product-save", hidden: tg.mainButton.available }, T.save),
    existing ? h("button", { type: "button", class: "danger", id: "archive", onclick: archive }, T.archive) : null);
  let key = api.newKey();
  async function save() {
    form.clear();
    const body = {};
    const clear = [];
    for (const [name, f] of Object.entries(fields)) {
      const value = f.input.value.trim();
      if (existing && String(existing[name] ?? "") === value) continue;
      // An emptied date or number: none again (the shop's default where there is one).
      if (value === "" && CLEARABLE.includes(name)) { if (existing) clear.push(name); continue; }
      if (value === "" && name !== "category" && name !== "supplier") continue;
      if (name === "barcodes") body[name] = value.split(",").map((b) => b.trim()).filter(Boolean);
      else if (WHOLE_NUMBERS.includes(name)) body[name] = /^\d+$/.test(value) ? Number(value) : value;
      else body[name] = value;
    }
    if (clear.length) body.clear = clear;
    if (!existing && !body.name) { form.complain("name", T.needsName); return; }
    try {
      const saved = existing ? await api.patch(shopPath(`/products/${id}`), body)
        : await api.post(shopPath("/products"), body, key);
      key = api.newKey();
      tg.haptic();
      if (existing) {
        Object.assign(existing, saved);
        done.replaceChildren(h("strong", {}, T.saved(saved.name)));
        done.hidden = false;
      } else {
        go(`#/product/${saved.id}`, { replace: true });
      }
    } catch (error) {
      key = api.newKey();
      if (!form.showError(error)) { done.replaceChildren(failure(error)); done.hidden = false; }
    }
  }
  async function archive() {
    if (!(await tg.confirm(T.archiveAsk(existing.name), T.archive))) return;
    await api.remove(shopPath(`/products/${id}`));
    go("#/products", { replace: true });
  }
  render(existing ? T.editProduct(existing.name) : T.newProduct, done, element);
  if (tg.mainButton.available) tg.mainButton.show(T.save, save);
}

// -- More: history, export, settings, log out ---------------------------------------

// A CSV export: a plain download in a browser (the cookie goes along); inside Telegram
// the Telegram app downloads it, through a short-lived link that needs no cookie.
function exportButton(what, label) {
  if (!tg.inTelegram) {
    return h("a", { class: "button", download: "", "data-export": what,
      href: api.apiUrl(shopPath(`/export/${what}.csv`)) }, label);
  }
  return h("button", { type: "button", "data-export": what, onclick: async () => {
    const links = await api.post(shopPath("/export/links"));
    tg.downloadFile(new URL(api.apiUrl(links[what]), location.origin).href, links[`${what}_file`]);
  } }, label);
}

async function morePage() {
  const shop = await api.get(shopPath());
  const form = fieldSet();
  const { fields, field } = form;
  const owner = isOwner();
  const input = (name, attributes) => h("input", { name, value: shop[name], disabled: !owner, ...attributes });
  const done = h("div", { class: "success", role: "status", id: "settings-done", hidden: true });
  const save = async () => {
    form.clear();
    done.hidden = true;
    const body = {};
    for (const [name, f] of Object.entries(fields)) {
      const value = name === "day_first" ? f.input.value === "true" : f.input.value.trim();
      if (String(value) === String(shop[name])) continue;
      body[name] = name === "near_expiry_days" ? Number(value) : value;
    }
    try {
      const saved = await api.patch(shopPath("/settings"), body);
      Object.assign(shop, saved);
      Object.assign(state.shop, saved);
      done.replaceChildren(h("strong", {}, T.settingsSaved));
      done.hidden = false;
    } catch (error) {
      if (!form.showError(error)) { done.replaceChildren(failure(error)); done.hidden = false; }
    }
  };
  const logOut = async () => {
    await api.logOut();
    tg.forgetLaunch();
    tabs.hidden = true;
    more.hidden = true;
    shopSelect.hidden = true;
    setBack(false);
    render(T.app, h("section", { class: "card" }, h("p", { id: "logged-out" }, T.loggedOut)));
  };
  render(T.more,
    h("section", { class: "card" },
      h("p", {}, h("strong", {}, shop.name), h("br"),
        h("span", { class: "muted" }, T.you(state.me.user.name, T.roles[shop.role]))),
      h("a", { class: "button wide", href: "#/history" }, T.shopHistory)),
    h("section", { class: "card" }, h("h2", {}, T.export),
      h("div", { class: "actions" }, exportButton("stock", T.exportStock), exportButton("ledger", T.exportLedger)),
      h("small", {}, T.exportHint)),
    h("section", { class: "card" }, h("h2", {}, T.settings),
      owner ? null : h("p", { class: "muted" }, T.settingsOwnersOnly),
      done,
      h("form", { id: "settings-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } },
        field("timezone", T.timezone, input("timezone", { autocomplete: "off" })),
        field("currency", T.currency, input("currency", { maxlength: 8 })),
        field("near_expiry_days", T.nearExpiryDays, input("near_expiry_days", { inputmode: "numeric" })),
        field("alert_time", T.alertTime, input("alert_time", { type: "time" })),
        field("day_first", T.dateOrder, h("select", { name: "day_first", disabled: !owner },
          h("option", { value: "true", selected: shop.day_first }, T.dayFirst),
          h("option", { value: "false", selected: !shop.day_first }, T.monthFirst))),
        owner ? h("button", { type: "submit", class: "primary", id: "settings-save" }, T.save) : null)),
    h("button", { type: "button", class: "danger", id: "log-out", onclick: logOut }, T.logOut));
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

function word() {
  back.setAttribute("aria-label", T.back);
  more.setAttribute("aria-label", T.more);
  more.title = T.more;
  shopSelect.setAttribute("aria-label", T.shop);
  for (const link of tabs.querySelectorAll("a")) {
    link.querySelector(".tab-label").textContent = T.tabs[link.dataset.tab];
  }
}

async function start() {
  tg.startTheme();
  word();
  render(T.app, h("p", { class: "muted" }, T.loading));
  // From Telegram, log in at once (the server hands back the session this browser holds
  // for the same person); without initData, or refused, look for a session.
  let me = null;
  let refused = null;
  if (tg.initData) {
    try { me = await api.logIn(tg.initData); } catch (error) { me = null; refused = failure(error); }
  }
  if (!me) me = await api.session();
  if (!me) {
    render(T.app, h("section", { class: "card" },
      h("h2", {}, T.openFromTelegram), h("p", {}, T.openFromTelegramWhy), refused));
    tg.ready();
    return;
  }
  state.me = me;
  state.shop = chooseShop(me);
  if (!state.shop) {
    render(T.app, h("section", { class: "card" }, h("h2", {}, T.hello(me.user.name)),
      h("p", {}, T.noShopYet)));
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
  more.hidden = false;
  history.replaceState(null, "", location.pathname + startRoute());
  await show();
  tg.ready();
}

window.addEventListener("hashchange", show);
back.addEventListener("click", () => goBack());
start();
