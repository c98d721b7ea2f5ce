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

// Russian plurals: one (1, 21…), few (2–4, 22–24…), many (the rest).
function plural(count, one, few, many) {
  const tens = count % 100;
  const units = count % 10;
  if (units === 1 && tens !== 11) return one;
  if (units >= 2 && units <= 4 && (tens < 12 || tens > 14)) return few;
  return many;
}

const ru = {
  app: "Stockbot",
  loading: "Загрузка…",
  back: "Назад",
  more: "Ещё",
  shop: "Магазин",
  tabs: { dashboard: "Сводка", inventory: "Склад", entry: "Приход/расход", products: "Товары" },

  openFromTelegram: "Откройте Stockbot из Telegram",
  openFromTelegramWhy: "Это приложение магазина. Откройте его кнопкой меню бота или кнопкой «Открыть приложение» в чате — так вы войдёте.",
  hello: (name) => `Привет, ${name}`,
  noShopYet: "Вы ещё не в магазине. Создайте его в чате командой /newshop <название> или попросите владельца пригласить вас.",
  requestFailed: (status) => `Ошибка запроса (${status})`,
  offline: "Нет связи с сервером магазина. Проверьте интернет и попробуйте ещё раз.",

  badges: { low: "Мало", out: "Нет в наличии", near_expiry: "Скоро истекает", expired: "Просрочено" },
  statusChips: { all: "Все", low: "Мало", out: "Нет", near_expiry: "Скоро истекает", expired: "Просрочено" },

  boxes: { low: "Мало или нет", out: "Нет в наличии", near_expiry: "Скоро истекает", expired: "Просрочено" },
  viewAll: "Все ›",
  firsts: { out: "Нет в наличии", low: "Мало или нет в наличии", near_expiry: "Скоро истекает", expired: "Просрочено" },
  productsOn: (count, day) => `${count} ${plural(count, "товар", "товара", "товаров")} · ${day}`,
  expires: (day) => `годен до ${day}`,

  inventory: "Склад",
  searchNameOrBarcode: "Название или штрихкод",
  search: "Поиск",
  status: "Статус",
  category: "Категория",
  allCategories: "Все",
  expiresBefore: "Срок до",
  sort: "Сортировка",
  sorts: { name: "Название", quantity: "Количество", expiry: "Срок годности", days_left: "Дней осталось" },
  daysLeft: (days) => `≈ ${days} ${plural(days, "день", "дня", "дней")}`,
  expiringOf: (batches, onHand) => `${batches} (из ${onHand})`,
  expiringBatch: (amount, day) => `${amount} до ${day}`,
  nothingMatches: "Ничего не найдено.",
  productCount: (count) => `${count} ${plural(count, "товар", "товара", "товаров")}`,
  previous: "‹ Назад",
  next: "Далее ›",
  pageOf: (page, pages) => `Стр. ${page} из ${pages}`,

  minusOne: "минус один",
  plusOne: "плюс один",
  restock: "Приход",
  remove: "Списать",
  edit: "Изменить",
  details: "Подробнее",
  storePrice: "Цена продажи",
  supplierPrice: "Закупочная цена",
  supplier: "Поставщик",
  lowBelow: "Мало, если меньше",
  sells: "Продажи",
  pace: (amount) => `${amount} в день`,
  reorderOn: "Заказать",
  barcodes: "Штрихкоды",
  batches: "Партии",
  expiry: "Годен до",
  quantity: "Кол-во",
  cost: "Закупка",
  noStock: "Нет в наличии.",
  lastDays: (days) => `За ${days} ${plural(days, "день", "дня", "дней")}`,
  chartLabel: (amount) => `Остаток за 30 дней, сейчас ${amount}`,
  chartLow: "мало",

  history: "История",
  shopHistory: "История магазина",
  noMovements: "Движений пока нет.",
  undo: "Отменить",
  loadMore: "Показать ещё",
  seeAll: "Вся история магазина ›",
  reasons: {
    restock: "приход", sale: "продажа", damage: "брак", expired: "просрочка",
    adjustment: "корректировка", return: "возврат", undo: "отмена", import: "импорт", count: "пересчёт",
  },

  stockEntry: "Приход/расход",
  product: "Товар",
  findProduct: "Название или штрихкод",
  chooseProduct: "Выберите товар.",
  change: "Сменить",
  onHand: (amount) => `в наличии ${amount}`,
  kinds: { restock: "Приход", removal: "Расход", count: "Пересчёт" },
  reason: "Причина",
  removalReasons: {
    sale: "Продажа", damage: "Брак", expired: "Просрочка", adjustment: "Корректировка",
    return: "Возврат поставщику",
  },
  countedOnShelf: "Насчитано на полке",
  expiryDate: "Годен до",
  supplierPriceHint: "Сколько вы заплатили за единицу; продавцы и покупатели её не видят",
  reorderDate: "Дата заказа",
  note: "Заметка",
  save: "Сохранить",
  done: {
    restock: (amount, name) => `Приход: ${amount} ${name}`,
    removal: (amount, name) => `Списано: ${amount} ${name}`,
    count: (amount, name) => `Пересчёт: ${amount} ${name}`,
  },
  onHandNow: (amount) => ` — остаток ${amount}`,
  expiredOnArrival: " (уже просрочено!)",
  openProduct: " Открыть товар",

  products: "Товары",
  searchProducts: "Поиск товаров",
  add: "+ Добавить",
  archivedChip: "В архиве",
  activeChip: "В каталоге",
  restore: "Вернуть",
  restored: (name) => `${name} снова в каталоге`,
  costOf: (amount) => `закупка ${amount}`,
  newProduct: "Новый товар",
  editProduct: (name) => `Изменить: ${name}`,
  name: "Название",
  unit: "Единица",
  threshold: "Мало, если меньше",
  barcodesCommas: "Штрихкоды (через запятую)",
  warnDays: "Предупредить за (дней до срока)",
  needsName: "У товара должно быть название.",
  saved: (name) => `Сохранено: ${name}`,
  archive: "В архив",
  archiveAsk: (name) => `Убрать ${name} в архив? История сохранится, товар можно вернуть.`,

  export: "Выгрузка",
  exportStock: "Остатки (CSV)",
  exportLedger: "Все движения (CSV)",
  exportHint: "В чате /export присылает те же файлы.",
  settings: "Настройки",
  settingsOwnersOnly: "Менять их может только владелец.",
  timezone: "Часовой пояс",
  currency: "Валюта",
  nearExpiryDays: "«Скоро истекает» за (дней)",
  alertTime: "Ежедневное уведомление в",
  dateOrder: "Даты",
  dayFirst: "сначала день (31.12.2026)",
  monthFirst: "сначала месяц (12/31/2026)",
  settingsSaved: "Настройки сохранены",
  you: (name, role) => `${name} · ${role}`,
  roles: { owner: "владелец", staff: "продавец" },
  logOut: "Выйти",
  loggedOut: "Вы вышли. Откройте приложение из бота, чтобы войти снова.",
};

const languages = { en, ru };

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
