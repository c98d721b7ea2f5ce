// The Telegram Mini App bridge, after Telegram's documented protocol
// (https://core.telegram.org/api/web-events): launch parameters arrive in the URL
// fragment; events go to the app through TelegramWebviewProxy (mobile), window.external
// (desktop) or postMessage (web, in an iframe) and come back through
// window.Telegram.WebView.receiveEvent. Outside Telegram every call does nothing.

const launch = new URLSearchParams(location.hash.slice(1));
const STORED = "stockbot.launch";

function remembered() {
  try { return JSON.parse(sessionStorage.getItem(STORED) || "{}"); } catch { return {}; }
}

const saved = remembered();
export const initData = launch.get("tgWebAppData") || saved.initData || "";
const themeRaw = launch.get("tgWebAppThemeParams") || saved.theme || "";
const version = launch.get("tgWebAppVersion") || saved.version || "";
try {
  sessionStorage.setItem(STORED, JSON.stringify({ initData, theme: themeRaw, version }));
} catch { /* private mode: fine */ }

// The user's language as Telegram reports it ("en", "ru"…); the browser's elsewhere.
function userLanguage() {
  try {
    const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
    if (user.language_code) return user.language_code;
  } catch { /* no user */ }
  return navigator.language || "en";
}
export const languageCode = userLanguage();

// After a logout the launch data must not log in again (Telegram's initData is single-use
// on the server anyway).
export function forgetLaunch() {
  try { sessionStorage.removeItem(STORED); } catch { /* private mode */ }
}

const isIframe = window.parent != null && window.parent !== window;
export const inTelegram = Boolean(
  window.TelegramWebviewProxy
  || (window.external && "notify" in window.external)
  || (isIframe && launch.has("tgWebAppVersion"))
);

const handlers = new Map();

function receiveEvent(type, data) {
  for (const handler of handlers.get(type) || []) handler(data);
}
window.Telegram = window.Telegram || {};
window.Telegram.WebView = Object.assign(window.Telegram.WebView || {}, { receiveEvent });
if (isIframe) {
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    try {
      const message = JSON.parse(event.data);
      if (message && message.eventType) receiveEvent(message.eventType, message.eventData);
    } catch { /* not ours */ }
  });
}

function on(type, handler) {
  if (!handlers.has(type)) handlers.set(type, new Set());
  handlers.get(type).add(handler);
}

export function postEvent(type, data = {}) {
  if (!inTelegram) return;
  const payload = JSON.stringify(data);
  if (window.TelegramWebviewProxy) {
    window.TelegramWebviewProxy.postEvent(type, payload);
  } else if (window.external && "notify" in window.external) {
    window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
  } else if (isIframe) {
    window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), "*");
  }
}

// -- theme --------------------------------------------------------------------------

function applyTheme(params) {
  if (!params) return;
  const root = document.documentElement;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
      root.style.setProperty(`--tg-${name.replaceAll("_", "-")}`, value);
    }
  }
  const bg = params.bg_color;
  if (bg && /^#[0-9a-f]{6}$/i.test(bg)) {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(bg.slice(i, i + 2), 16));
    root.dataset.theme = 0.299 * r + 0.587 * g + 0.114 * b < 128 ? "dark" : "light";
  }
}

export function startTheme() {
  try { applyTheme(JSON.parse(themeRaw || "null")); } catch { /* no theme */ }
  on("theme_changed", (data) => applyTheme(data && data.theme_params));
  postEvent("web_app_request_theme");
}

// -- main and back buttons ----------------------------------------------------------

let mainClick = null;
let backClick = null;
on("main_button_pressed", () => mainClick && mainClick());
on("back_button_pressed", () => backClick && backClick());

export const mainButton = {
  available: inTelegram,
  show(text, onClick) {
    mainClick = onClick;
    postEvent("web_app_setup_main_button", { is_visible: true, is_active: true, text });
  },
  hide() {
    mainClick = null;
    postEvent("web_app_setup_main_button", { is_visible: false });
  },
};

export const backButton = {
  available: inTelegram,
  show(onClick) {
    backClick = onClick;
    postEvent("web_app_setup_back_button", { is_visible: true });
  },
  hide() {
    backClick = null;
    postEvent("web_app_setup_back_button", { is_visible: false });
  },
};

export function ready() {
  postEvent("web_app_ready");
  postEvent("web_app_expand");
}

export function haptic(kind = "success") {
  postEvent("web_app_trigger_haptic_feedback", { type: "notification", notification_type: kind });
}

// A yes/no question before something hard to take back: Telegram's own popup inside
// Telegram (its webviews may not show window.confirm), the browser's confirm outside.
export function confirm(message, yes) {
  if (!inTelegram) return Promise.resolve(window.confirm(message));
  return new Promise((resolve) => {
    const closed = (data) => {
      handlers.get("popup_closed").delete(closed);
      resolve(Boolean(data && data.button_id === "yes"));
    };
    on("popup_closed", closed);
    postEvent("web_app_open_popup", {
      message: message.slice(0, 256),
      buttons: [{ id: "yes", type: "destructive", text: yes }, { id: "no", type: "cancel" }],
    });
  });
}

function versionAtLeast(wanted) {
  const [major, minor] = version.split(".").map(Number);
  const [needMajor, needMinor] = wanted.split(".").map(Number);
  return major > needMajor || (major === needMajor && (minor || 0) >= needMinor);
}

// A file from a link that needs no cookie: Telegram 8.0 and later download it
// themselves; older ones open it in the phone's browser.
export function downloadFile(url, fileName) {
  if (versionAtLeast("8.0")) {
    postEvent("web_app_request_file_download", { url, file_name: fileName });
  } else {
    postEvent("web_app_open_link", { url });
  }
}
