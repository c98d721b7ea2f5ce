// Every word the pages show, one table per language, so a translation is one more table
// here and nothing else. A value is a string, or a function of the values it names.
// The API's error messages come from the server (webapp/errors.py).

const en = {
  app: "Stockbot",
  loading: "Loading…",
  back: "Back",
  more: "More",
  shop: "Shop",
  tabs: { dashboard: "Dashboard", inventory: "Inventory", entry: "Stock entry", products: "Products" },

  // Telegram's login, and no shop yet
  openFromTelegram: "Open Stockbot from Telegram",
  openFromTelegramWhy: "This page is the shop's app. Open it with the bot's menu button or an “Open app” button in the chat; that logs you in.",
  hello: (name) => `Hello ${name}`,
  noShopYet: "You are not in a shop yet. Create one in the chat with /newshop <name>, or ask an owner for an invite.",
  requestFailed: (status) => `Request failed (${status})`,
  offline: "Could not reach the shop's server. Check the connection and try again.",

  // statuses
  badges: { low: "Low", out: "Out of stock", near_expiry: "Near expiry", expired: "Expired" },
  statusChips: { all: "All", low: "Low", out: "Out", near_expiry: "Near expiry", expired: "Expired" },

  // Dashboard
  boxes: { low: "Low or out", out: "Out of stock", near_expiry: "Near expiry", expired: "Expired" },
  viewAll: "View all ›",
  firsts: { out: "Out of stock", low: "Low or out of stock", near_expiry: "Expiring soon", expired: "Expired" },
  productsOn: (count, day) => `${count === 1 ? "1 product" : `${count} products`} · ${day}`,
  expires: (day) => `exp ${day}`,

  // Inventory
  inventory: "Inventory",
  searchNameOrBarcode: "Search name or barcode",
  search: "Search",
  status: "Status",
  category: "Category",
  allCategories: "All",
  expiresBefore: "Expires before",
  sort: "Sort",
  sorts: { name: "Name", quantity: "Quantity", expiry: "Expiry", days_left: "Days left" },
  daysLeft: (days) => `≈ ${days} days left`,
  expiringOf: (batches, onHand) => `${batches} (of ${onHand})`,
  expiringBatch: (amount, day) => `${amount} exp ${day}`,
  nothingMatches: "Nothing matches.",
  productCount: (count) => (count === 1 ? "1 product" : `${count} products`),
  previous: "‹ Previous",
  next: "Next ›",
  pageOf: (page, pages) => `Page ${page} of ${pages}`,

  // Product
  minusOne: "minus one",
  plusOne: "plus one",
  restock: "Restock",
  remove: "Remove",
  edit: "Edit",
  details: "Details",
  storePrice: "Store price",
  supplierPrice: "Supplier price",
  supplier: "Supplier",
  lowBelow: "Low below",
  sells: "Sells",
  pace: (amount) => `${amount} a day`,
  reorderOn: "Reorder on",
  barcodes: "Barcodes",
  batches: "Batches",
  expiry: "Expiry",
  quantity: "Quantity",
  cost: "Cost",
  noStock: "No stock on hand.",
  lastDays: (days) => `Last ${days} days`,
  chartLabel: (amount) => `Stock over the last 30 days, now ${amount}`,
  chartLow: "low",

  // History
  history: "History",
  shopHistory: "Shop history",
  noMovements: "No movements yet.",
  undo: "Undo",
  loadMore: "Show more",
  seeAll: "All of the shop's history ›",
  reasons: {
    restock: "restock", sale: "sale", damage: "damaged", expired: "expired",
    adjustment: "adjustment", return: "returned", undo: "undo", import: "import", count: "count",
  },

  // Stock entry
  stockEntry: "Stock entry",
  product: "Product",
  findProduct: "Type a name or barcode",
  chooseProduct: "Choose a product.",
  change: "Change",
  onHand: (amount) => `on hand ${amount}`,
  kinds: { restock: "Add", removal: "Remove", count: "Count" },
  reason: "Reason",
  removalReasons: {
    sale: "Sale", damage: "Damaged", expired: "Expired", adjustment: "Adjustment",
    return: "Returned to supplier",
  },
  countedOnShelf: "Counted on the shelf",
  expiryDate: "Expiry date",
  supplierPriceHint: "What you paid per unit; staff and customers never see it",
  reorderDate: "Reorder date",
  note: "Note",
  save: "Save",
  done: {
    restock: (amount, name) => `Added ${amount} of ${name}`,
    removal: (amount, name) => `Removed ${amount} of ${name}`,
    count: (amount, name) => `Counted ${amount} of ${name}`,
  },
  onHandNow: (amount) => ` — on hand now ${amount}`,
  expiredOnArrival: " (already expired!)",
  openProduct: " Open product",

  // Products
  products: "Products",
  searchProducts: "Search products",
  add: "+ Add",
  archivedChip: "Archived",
  activeChip: "In the catalog",
  restore: "Restore",
  restored: (name) => `${name} is back in the catalog`,
  costOf: (amount) => `cost ${amount}`,
  newProduct: "New product",
  editProduct: (name) => `Edit ${name}`,
  name: "Name",
  unit: "Unit",
  threshold: "Low-stock threshold",
  barcodesCommas: "Barcodes (comma-separated)",
  warnDays: "Warn days before expiry",
  needsName: "A product needs a name.",
  saved: (name) => `Saved ${name}`,
  archive: "Archive product",
  archiveAsk: (name) => `Archive ${name}? Its history stays, and you can restore it.`,

  // More: history, export, settings, log out
  export: "Export",
  exportStock: "Stock (CSV)",
  exportLedger: "All movements (CSV)",
  exportHint: "In the chat, /export sends the same files.",
  settings: "Settings",
  settingsOwnersOnly: "Only an owner can change these.",
  timezone: "Timezone",
  currency: "Currency",
  nearExpiryDays: "Near expiry within (days)",
  alertTime: "Daily alert at",
  dateOrder: "Dates",
  dayFirst: "day first (31.12.2026)",
  monthFirst: "month first (12/31/2026)",
  settingsSaved: "Settings saved",
  you: (name, role) => `${name} · ${role}`,
  roles: { owner: "owner", staff: "staff" },
  logOut: "Log out",
  loggedOut: "You are logged out. Open the app from the bot to log in again.",
};

const languages = { en };

// The table for a Telegram language code ("ru", "pt-br"), English for what it lacks.
export function textsFor(code) {
  const base = String(code || "en").toLowerCase().split("-")[0];
  const merged = { ...en };
  for (const [key, value] of Object.entries(languages[base] || {})) {
    const nested = value && typeof value === "object";
    merged[key] = nested ? { ...en[key], ...value } : value;
  }
  return merged;
}
